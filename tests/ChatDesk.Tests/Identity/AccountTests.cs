using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Identity;

public sealed class AccountTests : ChatTestBase
{
    protected override ChatDeskTestHost CreateHost() => new() { Settings = new Dictionary<string, string?> { ["ChatDesk:Identity:MaxFailedLogins"] = "3" } };

    private async Task<(HttpStatusCode Status, string Title)> TryLoginAsync(string email, string password)
    {
        var cookies = new CookieContainer();
        using var client = TestApi.CreateClient(Host, cookies);
        var response = await TestApi.LoginWithClientAsync(client, cookies, email, password);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.IsSuccessStatusCode ? "" : JsonDocument.Parse(body).RootElement.GetProperty("title").GetString()!);
    }

    [Fact]
    public async Task An_unknown_email_and_a_wrong_password_get_the_same_answer_and_repeated_failures_lock_the_account()
    {
        var unknown = await TryLoginAsync("nobody@shop.example", "whatever-password");
        var wrong = await TryLoginAsync(TestApi.BobEmail, "wrong-password-1");
        Assert.Equal((HttpStatusCode.Unauthorized, "Wrong email or password"), unknown);
        Assert.Equal(unknown, wrong);

        Assert.Equal(unknown, await TryLoginAsync(TestApi.BobEmail, "wrong-password-2"));
        var locked = await TryLoginAsync(TestApi.BobEmail, "wrong-password-3");
        Assert.Equal((HttpStatusCode.Locked, "Account locked"), locked);
        // Locked: even the right password is refused, with the same clear message.
        Assert.Equal(locked, await TryLoginAsync(TestApi.BobEmail, TestApi.BobPassword));
        // Another account is not affected.
        Assert.Equal(HttpStatusCode.OK, (await TryLoginAsync(TestApi.AliceEmail, TestApi.AlicePassword)).Status);
        // An e-mail without an account locks the same way, so the lockout does not tell which e-mails exist.
        Assert.Equal(unknown, await TryLoginAsync("nobody@shop.example", "whatever-password"));
        Assert.Equal(locked, await TryLoginAsync("nobody@shop.example", "whatever-password"));
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_keeps_this_one_and_is_audited()
    {
        using var laptop = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        using var phone = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        await Driver.ConnectOperatorAsync("phone-hub", Host.BaseUrl, await TestApi.LoginAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword));

        var wrongCurrent = await laptop.PostAsJsonAsync("/api/auth/password", new { currentPassword = "not-it-at-all", newPassword = "alice-new-long-pass" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongCurrent.StatusCode);
        Assert.True(JsonDocument.Parse(await wrongCurrent.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("currentPassword", out _));
        var weakNew = await laptop.PostAsJsonAsync("/api/auth/password", new { currentPassword = TestApi.AlicePassword, newPassword = "short" });
        Assert.True(JsonDocument.Parse(await weakNew.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("newPassword", out _));
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/api/auth/me")).StatusCode);

        Host.Clock.Advance(TimeSpan.FromSeconds(1)); // the cookie's security stamp is checked once time has passed since it was issued
        var changed = await laptop.PostAsJsonAsync("/api/auth/password", new { currentPassword = TestApi.AlicePassword, newPassword = "alice-new-long-pass" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/auth/me")).StatusCode);
        await Driver.WaitForDisconnectAsync("phone-hub", TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Unauthorized, (await TryLoginAsync(TestApi.AliceEmail, TestApi.AlicePassword)).Status);
        Assert.Equal(HttpStatusCode.OK, (await TryLoginAsync(TestApi.AliceEmail, "alice-new-long-pass")).Status);
        var audited = await Host.WithDbAsync(db => db.Events.SingleAsync(e => e.Type == AdminEventTypes.PasswordChanged));
        Assert.DoesNotContain("alice-new-long-pass", audited.Data);
    }

    [Fact]
    public async Task Everyone_edits_their_own_display_name_and_language()
    {
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        var bad = await alice.PutAsJsonAsync("/api/auth/me", new { displayName = "", language = "de" });
        var errors = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("displayName", out _) && errors.TryGetProperty("language", out _));

        var ok = await alice.PutAsJsonAsync("/api/auth/me", new { displayName = "Alice Martin", language = "fr" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var me = (await alice.GetFromJsonAsync<MeResponse>("/api/auth/me", SignalRDriver.Json))!;
        Assert.Equal(("Alice Martin", "fr"), (me.DisplayName, me.Language));
        Assert.Equal(1, await CountAsync(db => db.Events.CountAsync(e => e.Type == AdminEventTypes.ProfileUpdated)));
    }
}
