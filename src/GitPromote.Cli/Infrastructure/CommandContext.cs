namespace GitPromote.Cli.Infrastructure;

/// <summary>The terminal: two streams, and whether colour is welcome on the error stream (where hooks talk).</summary>
public interface IConsole
{
    TextWriter Out { get; }
    TextWriter Error { get; }
    bool ColorOnError { get; }
    bool ColorOnOut { get; }
    Stream OpenStandardInput();
}

/// <summary>Environment variables and the working directory: untrusted input like everything else.</summary>
public interface IProcessEnvironment
{
    string? Get(string name);
    string CurrentDirectory { get; }
}

public interface IClock
{
    DateTimeOffset Now { get; }
}

/// <summary>Everything a command may touch outside the process, on one object (as git-credential-manager does).</summary>
public sealed record CommandContext(IConsole Console, IProcessEnvironment Environment, IClock Clock)
{
    public bool Verbose { get; init; }

    public bool DebugEnabled => Verbose || Environment.Get("PROMOTE_DEBUG") is "1" or "true";

    /// <summary>PROMOTE_TRACE: a line on stderr per git process and AWS call, timed (<see cref="Core.Diagnostics.CallTrace"/>).</summary>
    public bool TraceEnabled => Environment.Get(Core.Diagnostics.CallTrace.Variable) is "1" or "true";
}

internal sealed class SystemConsole : IConsole
{
    private readonly bool _noColor = !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("NO_COLOR"))
        || System.Environment.GetEnvironmentVariable("TERM") == "dumb";

    public TextWriter Out { get; } = System.Console.Out;
    public TextWriter Error { get; } = System.Console.Error;
    public bool ColorOnError => !_noColor && !System.Console.IsErrorRedirected;
    public bool ColorOnOut => !_noColor && !System.Console.IsOutputRedirected;
    public Stream OpenStandardInput() => System.Console.OpenStandardInput();
}

internal sealed class SystemEnvironment : IProcessEnvironment
{
    public string? Get(string name) => System.Environment.GetEnvironmentVariable(name);
    public string CurrentDirectory => Directory.GetCurrentDirectory();
}

internal sealed class SystemClock : IClock
{
    public DateTimeOffset Now => DateTimeOffset.Now;
}
