namespace GitPromote.Core;

/// <summary>
/// The process's environment variables and working directory: untrusted input like everything else. The one seam every
/// project reads them through (the CLI's commands, git discovery and config, AWS settings), so a test can hand in its own.
/// </summary>
public interface IProcessEnvironment
{
    /// <summary>The variable as set, or null when unset; an empty value stays empty (some callers tell the two apart).</summary>
    string? Get(string name);

    string CurrentDirectory { get; }
}

public static class ProcessEnvironmentExtensions
{
    /// <summary>The variable's value, or null when it is unset or empty (how AWS settings and git's variables read).</summary>
    public static string? NonEmpty(this IProcessEnvironment environment, string name) =>
        environment.Get(name) is { Length: > 0 } value ? value : null;
}
