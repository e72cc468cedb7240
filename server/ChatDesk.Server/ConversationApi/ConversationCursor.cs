using System.Buffers.Binary;
using Microsoft.AspNetCore.WebUtilities;

namespace ChatDesk.Server.ConversationApi;

/// <summary>
/// Where a page of conversations stopped: the last one's request time and id (the list's order), encoded so
/// clients pass it back unchanged rather than build one.
/// </summary>
public readonly record struct ConversationCursor(DateTimeOffset RequestedAt, Guid Id)
{
    private const int Length = 8 + 16;

    public string Encode()
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, RequestedAt.UtcTicks);
        Id.TryWriteBytes(bytes.AsSpan(8), bigEndian: true, out _);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    /// <summary>The cursor, or null when the text is not one this class made.</summary>
    public static ConversationCursor? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 64)
            return null;
        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(text);
        }
        catch (FormatException)
        {
            return null;
        }
        if (bytes.Length != Length)
            return null;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            return null;
        return new ConversationCursor(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.AsSpan(8), bigEndian: true));
    }
}
