using DeepSpike.Benchmarks;

namespace DeepSpike.Tests.Benchmarks;

public sealed class RealDataSuiteTests
{
    [Theory]
    [InlineData("Chen2013_GC6f_cell10_full_rec2", "Chen2013_GC6f_cell10_full")]
    [InlineData("Chen2013_GC6s_cell1C_rec1", "Chen2013_GC6s_cell1C")]
    [InlineData("3", "3")]
    [InlineData("cell_record", "cell_record")]
    public void CellOf_RecordingName_StripsOnlyATrailingRecordingNumber(string recording, string cell) =>
        Assert.Equal(cell, RealDataSuite.CellOf(recording));

    [Fact]
    public void AssignFolds_RecordingsOfOneCell_AlwaysShareAFoldAndFoldsAreBalanced()
    {
        var recordings = Enumerable.Range(0, 11).SelectMany(c => Enumerable.Range(1, 1 + c % 3).Select(k => $"cell{c}_rec{k}")).ToList();

        var folds = RealDataSuite.AssignFolds(recordings, 4, seed: 3);

        Assert.All(recordings.GroupBy(RealDataSuite.CellOf), cell => Assert.Single(cell.Select(r => folds[r]).Distinct()));
        var cellsPerFold = recordings.GroupBy(RealDataSuite.CellOf).GroupBy(cell => folds[cell.First()]).Select(g => g.Count()).Order().ToArray();
        Assert.Equal([2, 3, 3, 3], cellsPerFold);
    }

    [Fact]
    public void AssignFolds_SameSeed_SameFoldsAndOtherSeedOtherFolds()
    {
        var recordings = Enumerable.Range(0, 12).Select(c => $"c{c}_rec1").ToList();

        var a = RealDataSuite.AssignFolds(recordings, 4, 1);
        var b = RealDataSuite.AssignFolds(recordings, 4, 1);
        var c = RealDataSuite.AssignFolds(recordings, 4, 2);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void AssignFolds_FewerCellsThanFolds_UsesOneFoldPerCell()
    {
        var folds = RealDataSuite.AssignFolds(["a_rec1", "a_rec2", "b_rec1"], 4, 0);

        Assert.Equal(2, folds.Values.Distinct().Count());
    }
}
