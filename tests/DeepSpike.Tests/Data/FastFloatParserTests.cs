using System.Globalization;
using DeepSpike.Data;

namespace DeepSpike.Tests.Data;

public class FastFloatParserTests
{
    private static float Reference(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("0.122894")]
    [InlineData("-0.0406124")]
    [InlineData("1E-07")]
    [InlineData("+2.5e+3")]
    [InlineData("16777216")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("-0")]
    [InlineData("0.0000000001")]
    public void TryParseFast_TypicalCsvNumbers_HandledAndBitIdentical(string s)
    {
        Assert.True(FastFloatParser.TryParseFast(s, out float value));
        Assert.Equal(BitConverter.SingleToInt32Bits(Reference(s)), BitConverter.SingleToInt32Bits(value));
    }

    [Theory]
    [InlineData("16777217")]          // mantissa above 2^24: not exact
    [InlineData("0.099829704")]       // 9 significant digits
    [InlineData("1e-11")]             // scale beyond exact powers of ten
    [InlineData("3.4028235E+38")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1,5")]
    [InlineData("1e")]
    [InlineData("-")]
    [InlineData(".")]
    public void TryParseFast_OutsideFastPath_Declines(string s) =>
        Assert.False(FastFloatParser.TryParseFast(s, out _));

    [Fact]
    public void TryParse_RandomDecimalStrings_BitIdenticalToFloatParse()
    {
        var rng = new Random(2024);
        string[] formats = ["G1", "G3", "G6", "G7", "G8", "G9", "R", "F2", "F5", "E3", "0.##########"];
        for (int i = 0; i < 200_000; i++)
        {
            double x = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 12));
            string s = ((float)x).ToString(formats[i % formats.Length], CultureInfo.InvariantCulture);

            Assert.True(FastFloatParser.TryParse(s, out float value), s);
            Assert.True(BitConverter.SingleToInt32Bits(Reference(s)) == BitConverter.SingleToInt32Bits(value), $"'{s}': {value} vs {Reference(s)}");
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("")]
    public void TryParse_NotANumber_False(string s) => Assert.False(FastFloatParser.TryParse(s, out _));
}
