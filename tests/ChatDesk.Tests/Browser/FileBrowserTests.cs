using ChatDesk.Tests.Files;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class FileBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private BrowserSteps Steps => new(browser, Host);

    private static readonly LocatorAssertionsToHaveCountOptions Wait = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToHaveTextOptions WaitText = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToContainTextOptions WaitContains = new() { Timeout = 15_000 };

    private async Task<(IPage Operator, IPage Visitor, IFrameLocator Widget)> ChattingAsync()
    {
        var operatorPage = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var visitorPage = await Steps.NewPageAsync();
        var widget = await Steps.StartWidgetChatAsync(visitorPage, "Vera Visitor", "billing");
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Alice", WaitText);
        var chatItem = operatorPage.Locator("[data-testid=chat-item]");
        await Assertions.Expect(chatItem).ToHaveCountAsync(1, Wait);
        await chatItem.ClickAsync();
        await Assertions.Expect(operatorPage.Locator("[data-testid=attach-file]")).ToBeEnabledAsync(new() { Timeout = 15_000 });
        return (operatorPage, visitorPage, widget);
    }

    private static async Task<byte[]> DownloadAsync(IPage page, ILocator link, string expectedName)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync(), new() { Timeout = 15_000 });
        Assert.Equal(expectedName, download.SuggestedFilename);
        await using var stream = await download.CreateReadStreamAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task The_visitor_sends_a_file_with_the_file_button_and_the_operator_downloads_it()
    {
        var (operatorPage, visitorPage, widget) = await ChattingAsync();
        var pdf = SampleFiles.Pdf("from the visitor");

        await widget.Locator("[data-testid=file-input]").SetInputFilesAsync(new FilePayload { Name = "receipt.pdf", MimeType = "application/pdf", Buffer = pdf });

        var widgetLink = widget.Locator("[data-testid=file-link]");
        await Assertions.Expect(widgetLink).ToContainTextAsync("receipt.pdf", WaitContains);
        await Assertions.Expect(widget.Locator("[data-testid=upload]")).ToHaveCountAsync(0, Wait);
        var consoleLink = operatorPage.Locator("[data-testid=file-link]");
        await Assertions.Expect(consoleLink).ToHaveTextAsync("receipt.pdf", WaitText);

        Assert.Equal(pdf, await DownloadAsync(operatorPage, consoleLink, "receipt.pdf"));
        Assert.Equal(pdf, await DownloadAsync(visitorPage, widgetLink, "receipt.pdf"));
        Assert.Equal(1, await CountAsync(db => db.Events.CountAsync(e => e.Type == "file.shared")));
    }

    [Fact]
    public async Task The_operator_drops_a_file_on_the_chat_and_the_visitor_downloads_it()
    {
        var (operatorPage, visitorPage, widget) = await ChattingAsync();

        // What the browser hands to the page when a file is dragged in from the desktop.
        var dataTransfer = await operatorPage.EvaluateHandleAsync("""
            () => {
              const data = new DataTransfer();
              data.items.add(new File(['Opening hours: 9-17\n'], 'hours.txt', { type: 'text/plain' }));
              return data;
            }
            """);
        var pane = operatorPage.Locator("[data-testid=chat-view]");
        await pane.DispatchEventAsync("dragover", new { dataTransfer });
        await pane.DispatchEventAsync("drop", new { dataTransfer });

        var widgetLink = widget.Locator("[data-testid=file-link]");
        await Assertions.Expect(widgetLink).ToContainTextAsync("hours.txt", WaitContains);
        await Assertions.Expect(operatorPage.Locator("[data-testid=file-link]")).ToHaveTextAsync("hours.txt", WaitText);
        Assert.Equal("Opening hours: 9-17\n"u8.ToArray(), await DownloadAsync(visitorPage, widgetLink, "hours.txt"));
    }

    [Fact]
    public async Task Refused_files_show_a_clear_error_in_the_visitors_language_and_nothing_is_sent()
    {
        var operatorPage = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var visitorPage = await Steps.NewPageAsync(locale: "fr-FR");
        var widget = await Steps.StartWidgetChatAsync(visitorPage, "Vera", "billing");
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Alice", WaitText);
        var input = widget.Locator("[data-testid=file-input]");
        var error = widget.Locator("[data-testid=error] .error-text");

        await input.SetInputFilesAsync(new FilePayload { Name = "setup.exe", MimeType = "application/x-msdownload", Buffer = SampleFiles.Executable });
        await Assertions.Expect(error).ToContainTextAsync("setup.exe ne peut pas être envoyé : ce type de fichier n’est pas accepté.", WaitContains);

        // Passes the widget's own checks; the server reads the content and refuses it.
        await input.SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = SampleFiles.Executable });
        await Assertions.Expect(error).ToHaveTextAsync("photo.png ne peut pas être envoyé : son contenu ne correspond pas à son type.", WaitText);

        Assert.Equal(0, await CountAsync(db => db.SharedFiles.CountAsync()));
        await Assertions.Expect(widget.Locator("[data-testid=file-link]")).ToHaveCountAsync(0);
        await Assertions.Expect(operatorPage.Locator("[data-testid=file-link]")).ToHaveCountAsync(0);
    }
}
