using GitPromote.Core;

namespace GitPromote.Platform;

/// <summary>The terminal: two streams, whether colour is welcome on each (the error stream is where hooks talk), and stdin.</summary>
public interface IConsole
{
    TextWriter Out { get; }
    TextWriter Error { get; }
    bool ColorOnError { get; }
    bool ColorOnOut { get; }
    Stream OpenStandardInput();
}

/// <summary>This process's console; colour off with <c>NO_COLOR</c>, <c>TERM=dumb</c>, or a stream that is not a terminal.</summary>
public sealed class SystemConsole(IProcessEnvironment environment) : IConsole
{
    private readonly bool _noColor = !string.IsNullOrEmpty(environment.Get("NO_COLOR")) || environment.Get("TERM") == "dumb";

    public TextWriter Out { get; } = Console.Out;
    public TextWriter Error { get; } = Console.Error;
    public bool ColorOnError => !_noColor && !Console.IsErrorRedirected;
    public bool ColorOnOut => !_noColor && !Console.IsOutputRedirected;
    public Stream OpenStandardInput() => Console.OpenStandardInput();
}
