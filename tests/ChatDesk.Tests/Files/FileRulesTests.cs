using System.Text;
using ChatDesk.Server.Files;

namespace ChatDesk.Tests.Files;

public sealed class FileNamesTests
{
    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\vera\\Desktop\\invoice.pdf", "invoice.pdf")]
    [InlineData("..", null)]
    [InlineData(" . / .. ", null)]
    [InlineData("", null)]
    [InlineData(".htaccess", "htaccess")]
    [InlineData("notes.txt. . ", "notes.txt")]
    [InlineData("a\u0000b\r\nc.txt", "abc.txt")]
    [InlineData("evil\u202Egnp.exe", "evilgnp.exe")]
    [InlineData("what?<>|*\".txt", "what______.txt")]
    [InlineData("con.txt", "_con.txt")]
    [InlineData("LPT1", "_LPT1")]
    [InlineData("console.txt", "console.txt")]
    [InlineData("résumé ✓.pdf", "résumé ✓.pdf")]
    public void Names_keep_only_a_safe_last_segment(string raw, string? expected) => Assert.Equal(expected, FileNames.Sanitize(raw));

    [Fact]
    public void Long_names_are_cut_keeping_the_extension_and_whole_characters()
    {
        var name = FileNames.Sanitize(new string('a', 119) + "😀" + new string('b', 200) + ".pdf")!;
        Assert.Equal(new string('a', 116) + ".pdf", name);
        Assert.Equal(FileNames.MaxLength, FileNames.Sanitize(new string('x', 500) + ".docx")!.Length);
        Assert.EndsWith(".docx", FileNames.Sanitize(new string('x', 500) + ".docx"));
    }

    [Theory]
    [InlineData("a.PDF", "pdf")]
    [InlineData("archive.tar.gz", "gz")]
    [InlineData("README", "")]
    public void The_extension_is_the_last_one_in_lower_case(string name, string extension) => Assert.Equal(extension, FileNames.ExtensionOf(name));
}

public sealed class FileTypesTests
{
    private static bool Matches(string extension, byte[] content) =>
        FileTypes.Known[extension].Sniff(content.AsSpan(0, Math.Min(content.Length, FileTypes.HeadBytes)),
            content.AsSpan(Math.Max(0, content.Length - FileTypes.TailBytes)), content.Length <= FileTypes.HeadBytes);

    [Fact]
    public void Each_kind_accepts_its_own_content_and_refuses_an_executable()
    {
        Assert.True(Matches("png", SampleFiles.Png));
        Assert.True(Matches("pdf", SampleFiles.Pdf()));
        Assert.True(Matches("docx", SampleFiles.Docx()));
        Assert.True(Matches("txt", Encoding.UTF8.GetBytes("héllo wörld")));
        Assert.True(Matches("csv", "a,b\n1,2\n"u8.ToArray()));
        Assert.True(Matches("gif", "GIF89a\u0001\u0000"u8.ToArray()));
        Assert.True(Matches("jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]));
        Assert.True(Matches("webp", "RIFF\u0000\u0000\u0000\u0000WEBPVP8 "u8.ToArray()));
        Assert.True(Matches("doc", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]));
        foreach (var kind in FileTypes.Known.Keys)
            Assert.False(Matches(kind, SampleFiles.Executable), kind);
    }

    [Fact]
    public void A_zip_is_not_an_office_document_and_a_word_file_is_not_a_spreadsheet()
    {
        Assert.False(Matches("xlsx", SampleFiles.Docx()));
        Assert.False(Matches("odt", SampleFiles.Docx()));
        Assert.False(Matches("txt", SampleFiles.Docx()));
    }

    [Fact]
    public void Text_cut_inside_a_character_at_the_end_of_the_sample_still_counts_as_text()
    {
        var text = Encoding.UTF8.GetBytes(new string('a', FileTypes.HeadBytes - 1) + "é" + new string('b', 100));
        Assert.True(Matches("txt", text));
        Assert.False(Matches("txt", [.. "abc"u8, 0xC3]));
        Assert.False(Matches("txt", [0xFF, 0xFE, 0x41]));
    }

    [Theory]
    [InlineData("png", null, true)]
    [InlineData("png", "application/octet-stream", true)]
    [InlineData("png", "IMAGE/PNG", true)]
    [InlineData("csv", "application/vnd.ms-excel", true)]
    [InlineData("txt", "text/plain; charset=utf-8", true)]
    [InlineData("png", "application/x-msdownload", false)]
    [InlineData("pdf", "text/html", false)]
    public void A_declared_type_must_fit_the_extension(string extension, string? declared, bool fits) =>
        Assert.Equal(fits, FileTypes.DeclaredTypeFits(FileTypes.Known[extension], declared));
}
