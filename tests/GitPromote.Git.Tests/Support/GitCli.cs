using System.Diagnostics;

namespace GitPromote.Git.Tests.Support;

/// <summary>The git CLI for building test fixtures: independent of the code under test.</summary>
public static class GitCli
{
    public static string Run(string workingDirectory, params string[] args) => RunWithInput(workingDirectory, null, null, args);

    public static string RunWithEnv(string workingDirectory, IReadOnlyDictionary<string, string> env, params string[] args) =>
        RunWithInput(workingDirectory, null, env, args);

    public static string RunWithInput(string workingDirectory, string? stdin, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(workingDirectory, stdin, env, args);
        if (code != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout.TrimEnd('\n');
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string workingDirectory, string? stdin, IReadOnlyDictionary<string, string>? env,
        params string[] args)
    {
        var psi = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderrTask.Result);
    }

    /// <summary>Commits everything in <paramref name="repo"/> with a fixed committer date; returns the new commit id.</summary>
    public static string Commit(string repo, string message, string date = "2021-06-01T12:00:00+00:00", IReadOnlyDictionary<string, string>? files = null)
    {
        foreach (var (path, content) in files ?? new Dictionary<string, string> { [$"file-{Guid.NewGuid():N}.txt"] = message })
        {
            var full = Path.Combine(repo, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        Run(repo, "add", "-A");
        var env = new Dictionary<string, string> { ["GIT_COMMITTER_DATE"] = date, ["GIT_AUTHOR_DATE"] = date };
        RunWithEnv(repo, env, "commit", "-q", "--allow-empty", "-m", message);
        return Run(repo, "rev-parse", "HEAD");
    }

    public static string FileUrl(string path) => new Uri(path).AbsoluteUri;
}
