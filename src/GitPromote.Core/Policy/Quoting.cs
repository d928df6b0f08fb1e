namespace GitPromote.Core.Policy;

/// <summary>Policy text echoed in a message: short, and with nothing that could drive a terminal.</summary>
public static class Quoting
{
    private const int MaxShown = 60;

    public static string Show(string text, int maxLength = MaxShown)
    {
        var clean = string.Create(Math.Min(text.Length, maxLength), text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
        return text.Length > maxLength ? clean + "..." : clean;
    }
}
