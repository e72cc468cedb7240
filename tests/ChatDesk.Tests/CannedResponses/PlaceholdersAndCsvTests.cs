using ChatDesk.Server.CannedResponses;

namespace ChatDesk.Tests.CannedResponses;

public sealed class PlaceholdersAndCsvTests
{
    [Fact]
    public void Placeholders_are_filled_and_unknown_ones_left_as_written()
    {
        var values = new Dictionary<string, string?> { ["visitor.name"] = "<b>Vera</b>", ["operator.name"] = null };
        Assert.Equal("Hi <b>Vera</b>, I am . {site.name} {order.id}",
            Placeholders.Fill("Hi {visitor.name}, I am {operator.name}. {site.name} {order.id}", values));
    }

    [Fact]
    public void Csv_quotes_what_needs_quoting_and_parses_it_back()
    {
        string?[] fields = ["#a", "x,y", "line\nbreak \"quoted\"", null, " padded "];
        var line = Csv.Line(fields);
        var parsed = Assert.Single(Csv.Parse(line + "\r\n"));
        Assert.Equal(["#a", "x,y", "line\nbreak \"quoted\"", "", " padded "], parsed.Fields);
    }

    [Fact]
    public void Csv_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text_and_read_back_as_they_were()
    {
        string[] fields = ["=HYPERLINK(\"http://evil.example\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "'=already quoted", "-3.5", "plain"];
        var line = Csv.Line(fields);
        Assert.Equal(["'=HYPERLINK(\"http://evil.example\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR", "''=already quoted", "-3.5", "plain"],
            fields.Select(Csv.Neutralize));
        Assert.DoesNotContain(",=", line);
        Assert.Equal(fields, Assert.Single(Csv.Parse(line + "\r\n")).Fields);
    }

    [Fact]
    public void Csv_rows_know_the_line_they_start_on_and_an_unclosed_quote_is_an_error()
    {
        var rows = Csv.Parse("a,b\n\"multi\nline\",c\nd,e").ToList();
        Assert.Equal([1, 2, 4], rows.Select(r => r.Line));
        Assert.Throws<FormatException>(() => Csv.Parse("a,\"open\n").ToList());
    }

    [Theory]
    [InlineData("ref", "ref:*")]
    [InlineData("refund  poli", "refund & poli:*")]
    [InlineData("l'été", "l & été:*")]
    [InlineData("!!!", null)]
    public void The_search_query_matches_every_word_and_the_last_one_as_a_prefix(string text, string? query) =>
        Assert.Equal(query, AnswerService.PrefixQuery(text));
}
