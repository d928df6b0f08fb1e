using System.Text;

namespace GitPromote.Git;

/// <summary>What one git process left behind: exit code, stdout bytes (capped), stderr text (capped, not yet redacted).</summary>
public sealed class GitResult(IReadOnlyList<string> arguments, int exitCode, byte[] stdout, string stderr)
{
    public IReadOnlyList<string> Arguments { get; } = arguments;
    public int ExitCode { get; } = exitCode;
    public byte[] Stdout { get; } = stdout;
    public string Stderr { get; } = stderr;
    public bool Succeeded => ExitCode == 0;

    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    /// <summary>Throws <see cref="GitCommandException"/> with a short, credential-free message unless git exited 0.</summary>
    public GitResult EnsureSuccess()
    {
        if (!Succeeded) throw GitErrors.Failed(Arguments, ExitCode, Stderr);
        return this;
    }
}

internal static class GitErrors
{
    private const int MaxMessageChars = 400;

    public static GitCommandException Failed(IReadOnlyList<string> arguments, int exitCode, string stderr)
    {
        var redacted = SecretRedactor.RedactUrls(stderr);
        var detail = ShortDetail(redacted);
        var message = $"git {Subcommand(arguments)} failed (exit {exitCode})" + (detail.Length > 0 ? ": " + detail : "");
        return new GitCommandException(message, exitCode, redacted);
    }

    /// <summary>The git subcommand (first argument that is not a global option), for messages.</summary>
    public static string Subcommand(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var a = arguments[i];
            if (a == "-c" || a == "-C") { i++; continue; }
            if (a.StartsWith('-')) continue;
            return a;
        }
        return "";
    }

    /// <summary>The lines of stderr that say what went wrong, joined and bounded: <c>fatal:</c>/<c>error:</c> lines first.</summary>
    public static string ShortDetail(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var important = lines.Where(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("error:", StringComparison.Ordinal)
                                         || l.StartsWith("! ", StringComparison.Ordinal) || l.StartsWith("remote:", StringComparison.Ordinal)).ToList();
        var chosen = important.Count > 0 ? important : lines.ToList();
        var text = string.Join(" | ", chosen.Take(4));
        return text.Length <= MaxMessageChars ? text : text[..MaxMessageChars] + "…";
    }
}
