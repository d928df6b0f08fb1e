using System.Collections.Concurrent;
using GitPromote.Core.Diagnostics;
using GitPromote.Git.Tests.Support;
using GitPromote.TestSupport;

namespace GitPromote.Git.Tests;

/// <summary>PROMOTE_TRACE's line per git process: its command without credentials, how long it took, how it ended.</summary>
public sealed class GitProcessTraceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_traced_command_shows_urls_without_their_credentials_and_header_settings_without_their_value()
    {
        var shown = GitProcess.TracedCommand(["-c", "http.extraHeader=Authorization: Bearer tok-123", "ls-remote", "https://ci:s3cr3t@git.example.com/app.git",
            "refs/heads/*"]);

        Assert.Equal("git -c http.extraHeader=<redacted> ls-remote https://git.example.com/app.git refs/heads/*", shown);
    }

    [Fact]
    public void A_long_command_is_cut_at_300_characters()
    {
        var shown = GitProcess.TracedCommand(["fetch", "origin", new string('r', 400)]);

        Assert.Equal(303, shown.Length);
        Assert.EndsWith("...", shown);
    }

    [Fact]
    public async Task Each_git_process_gives_one_line_with_its_exit_code_or_its_timeout()
    {
        var lines = new ConcurrentQueue<string>();
        var marker = "trace-probe-" + Guid.NewGuid().ToString("N")[..8];
        var hang = Scripts.Write(_dir.Combine("hanging-git"), "#!/bin/sh\nsleep 30\n");
        var trace = CallTrace.SendTo(lines.Enqueue);
        try
        {
            GitProcess.Default.Run(_dir.Path, ["config", "--file", _dir.Combine("c"), "--get", marker + ".key"]);
            await GitProcess.Default.RunAsync(_dir.Path, ["version", "--build-options", marker]);
            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Assert.ThrowsAny<OperationCanceledException>(() => new GitProcess(executable: hang).Run(_dir.Path, ["status", marker], null, deadline.Token));
        }
        finally
        {
            trace.Dispose();
        }

        // Tests run in parallel: only this test's processes count.
        var mine = lines.Where(l => l.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.Matches($@"^git-promote: trace: git config --file \S+ --get {marker}\.key: \d+ ms, exit 1$", mine[0]);
        Assert.Matches($@"^git-promote: trace: git version --build-options {marker}: \d+ ms, exit \d+$", mine[1]);
        Assert.Matches($@"^git-promote: trace: git status {marker}: \d+ ms, timed out$", mine[2]);
    }
}
