namespace GitPromote.Cli.Output;

/// <summary>ANSI styling that disappears when colour is off (NO_COLOR, redirected output).</summary>
public sealed class Style(bool enabled)
{
    public string Red(string s) => Wrap("31", s);
    public string Green(string s) => Wrap("32", s);
    public string Yellow(string s) => Wrap("33", s);
    public string Bold(string s) => Wrap("1", s);
    public string Dim(string s) => Wrap("2", s);

    private string Wrap(string code, string s) => enabled ? $"\u001b[{code}m{s}\u001b[0m" : s;
}
