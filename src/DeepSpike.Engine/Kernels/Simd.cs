using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepSpike.Engine.Kernels;

/// <summary>Vector widths a kernel can be compiled for; <see cref="SimdWidths.Best"/> picks the widest the hardware accelerates.</summary>
internal enum SimdWidth
{
    Scalar,
    Vector256,
    Vector512,
}

internal static class SimdWidths
{
    /// <summary>The widest accelerated width on this machine (the JIT folds this to a constant).</summary>
    public static SimdWidth Best =>
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : SimdWidth.Scalar;

    /// <summary>Whether <paramref name="width"/> can run here (tests run every supported width).</summary>
    public static bool IsSupported(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => Vector512.IsHardwareAccelerated,
        SimdWidth.Vector256 => Vector256.IsHardwareAccelerated,
        _ => true,
    };
}

/// <summary>
/// The few vector operations the register-blocked kernels need, as static abstract members so a kernel
/// written once as a generic method is specialised by the JIT for each width (struct type arguments), with
/// every call inlined and the vectors kept in registers.
/// </summary>
/// <typeparam name="TVector">The register type: <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> or float.</typeparam>
internal interface ISimd<TVector> where TVector : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    static abstract TVector Load(ref float source);

    static abstract void Store(TVector value, ref float destination);

    static abstract TVector Broadcast(float value);

    /// <summary><c>a · b + addend</c>, fused where the hardware has FMA.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary>Sum of the lanes.</summary>
    static abstract float Sum(TVector value);
}

internal readonly struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);
}

internal readonly struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    // Vector256.FusedMultiplyAdd is emulated in software without FMA3 (AVX-only CPUs); fall back to mul + add.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, addend) : a * b + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);
}

internal readonly struct SimdScalar : ISimd<float>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float addend) => a * b + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float value) => value;
}

/// <summary>A compile-time block size: kernels take one as a type argument so the JIT unrolls by it.</summary>
internal interface IBlockSize
{
    static abstract int Value { get; }
}

internal readonly struct Block1 : IBlockSize { public static int Value => 1; }

internal readonly struct Block2 : IBlockSize { public static int Value => 2; }

internal readonly struct Block3 : IBlockSize { public static int Value => 3; }

internal readonly struct Block4 : IBlockSize { public static int Value => 4; }

internal readonly struct Block5 : IBlockSize { public static int Value => 5; }
