using GitPromote.Platform;

namespace GitPromote.Cli.Output;

/// <summary>The console as commands see it: both streams behind <see cref="TerminalWriter"/>.</summary>
internal sealed class SafeConsole(IConsole inner) : IConsole
{
    public TextWriter Out { get; } = inner.Out is TerminalWriter ? inner.Out : new TerminalWriter(inner.Out, inner.ColorOnOut);
    public TextWriter Error { get; } = inner.Error is TerminalWriter ? inner.Error : new TerminalWriter(inner.Error, inner.ColorOnError);
    public bool ColorOnError => inner.ColorOnError;
    public bool ColorOnOut => inner.ColorOnOut;
    public Stream OpenStandardInput() => inner.OpenStandardInput();

    public static IConsole Wrap(IConsole console) => console as SafeConsole ?? new SafeConsole(console);
}
