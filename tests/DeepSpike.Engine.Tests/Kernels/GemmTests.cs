using DeepSpike.Engine.Kernels;
using DeepSpike.Engine.Tests.TestKit;

namespace DeepSpike.Engine.Tests.Kernels;

/// <summary>
/// The register-blocked Gemm against a double-precision triple loop, at every vector width this machine
/// supports, over shapes that hit the 4-row blocks, the 4/3/2/1-vector column tiles and the scalar columns.
/// </summary>
public class GemmTests
{
    public static TheoryData<string> Widths() => Conv1dKernelTests.Widths();

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 192, 64), (4, 64, 64), (5, 64, 64), (7, 192, 64), (16, 64, 64), (30, 192, 64),
        (3, 17, 5), (6, 33, 9), (9, 47, 13), (2, 80, 3), (13, 1, 20), (64, 192, 16), (11, 112, 7),
    ];

    /// <summary>C[i, j] = c0[i, j] + Σ_p A(i, p) B[p, j] with the given strides, in double.</summary>
    private static double[] Reference(float[] a, int ars, int acs, float[] b, int ldb, float[] c0, int ldc, int m, int n, int k)
    {
        var c = c0.Select(v => (double)v).ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * ars + p * acs] * b[p * ldb + j];
                c[i * ldc + j] += s;
            }
        return c;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void MultiplyAdd_StridedAndTransposedA_MatchesTripleLoop(string width)
    {
        var w = Enum.Parse<SimdWidth>(width);
        var rng = new Random(7);
        foreach (var (m, n, k) in Shapes)
            foreach (bool transposeA in new[] { false, true })
            {
                int ldb = n + 3, ldc = n + 5;
                var a = Rand.Uniform(rng, m * k);
                var b = Rand.Uniform(rng, k * ldb);
                var c = Rand.Uniform(rng, m * ldc);
                int ars = transposeA ? 1 : k, acs = transposeA ? m : 1;
                var expected = Reference(a, ars, acs, b, ldb, c, ldc, m, n, k);
                Gemm.MultiplyAddAt(a, ars, acs, b, ldb, c, ldc, m, n, k, w);
                for (int i = 0; i < c.Length; i++)
                    Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])),
                        $"m={m} n={n} k={k} transposeA={transposeA} at {i}: {c[i]} vs {expected[i]}");
            }
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void Multiply_AllTransposes_MatchesTripleLoop(bool transposeA, bool transposeB, bool accumulate)
    {
        var rng = new Random(8);
        foreach (var (m, n, k) in Shapes)
        {
            var a = Rand.Uniform(rng, m * k);
            var b = Rand.Uniform(rng, k * n);
            var c = Rand.Uniform(rng, m * n);
            // Logical A[i, p] and B[p, j] for the reference.
            var al = new float[m * k];
            var bl = new float[k * n];
            for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) al[i * k + p] = transposeA ? a[p * m + i] : a[i * k + p];
            for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bl[p * n + j] = transposeB ? b[j * k + p] : b[p * n + j];
            var expected = Reference(al, k, 1, bl, n, accumulate ? c : new float[m * n], n, m, n, k);
            Gemm.Multiply(a, transposeA, b, transposeB, c, m, n, k, accumulate);
            for (int i = 0; i < c.Length; i++)
                Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"m={m} n={n} k={k} at {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void MultiplyAdd_RowAloneOrInBlock_GivesIdenticalBits(string width)
    {
        // The DS-NF sampler and its teacher-forced pass see a row in different blocks: results must agree bitwise.
        var w = Enum.Parse<SimdWidth>(width);
        var rng = new Random(9);
        const int m = 7, n = 200, k = 64;
        var a = Rand.Uniform(rng, m * k);
        var b = Rand.Uniform(rng, k * n);
        var all = new float[m * n];
        Gemm.MultiplyAddAt(a, k, 1, b, n, all, n, m, n, k, w);
        for (int i = 0; i < m; i++)
        {
            var one = new float[n];
            Gemm.MultiplyAddAt(a.AsSpan(i * k, k), k, 1, b, n, one, n, 1, n, k, w);
            Assert.Equal(all.AsSpan(i * n, n).ToArray(), one);
        }
    }

    [Fact]
    public void MultiplyAdd_ShortSpan_ThrowsNamingSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(new float[5], 3, 1, new float[9], 3, new float[9], 3, 2, 3, 3));
        Assert.Contains("m=2", e.Message);
    }
}
