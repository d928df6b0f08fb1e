namespace GitPromote.Core.Push;

/// <summary>Git object names: 40 hex digits (SHA-1) or 64 (SHA-256).</summary>
public static class ObjectIds
{
    public static bool IsValid(string? id) =>
        id is { Length: 40 or 64 } && id.All(IsLowerHex);

    public static bool IsZero(string id) => id.Length is 40 or 64 && id.All(c => c == '0');

    public static string Short(string id) => id.Length > 12 ? id[..12] : id;

    private static bool IsLowerHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f';
}
