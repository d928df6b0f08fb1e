using System.Text.RegularExpressions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The README's command blocks of "Quick start" and "Use it in your clone" (its flow, the pipeline's record, the
/// rollback), run as written, in order, in a sandbox: the README cannot drift from the program. A line whose comment
/// starts with "refused" must be refused (exit non-zero), every other line must succeed. Only the narration between
/// blocks is played by the test: three bare repositories and a clone with a remote each, "the pipeline's clone", and
/// a second release before the rollback (the same block's commands again). ./test.sh is the one line not run: it is
/// what runs this.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed partial class ReadmeTranscriptTests(InstalledGitPromote installed, ReleasePackages release) : IClassFixture<ReleasePackages>, IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private static string Readme => File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "README.md")).ReplaceLineEndings("\n");

    /// <summary>The indented code blocks of a README section (## heading), in order, each as its lines.</summary>
    private static List<List<string>> Blocks(string heading)
    {
        var text = Readme;
        var start = text.IndexOf($"\n## {heading}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{heading}'");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var blocks = new List<List<string>>();
        List<string>? current = null;
        string previous = "";
        foreach (var line in text[start..(end < 0 ? text.Length : end)].Split('\n'))
        {
            if (line.StartsWith("    ", StringComparison.Ordinal) && (current is not null || previous.Length == 0))
            {
                current ??= [];
                current.Add(line[4..]);
            }
            else if (line.Length > 0 && current is not null)
            {
                blocks.Add(current);
                current = null;
            }
            previous = line;
        }
        if (current is not null) blocks.Add(current);
        return blocks;
    }

    [GeneratedRegex(@"\s+#\s(?<comment>.*)$")]
    private static partial Regex Comment();

    /// <summary>Runs one README line as a shell would, in <paramref name="dir"/>: refused when its comment says so, else it must succeed.</summary>
    private Run RunLine(string dir, string line, IDictionary<string, string?>? env = null)
    {
        var comment = Comment().Match(line);
        var command = comment.Success ? line[..comment.Index] : line;
        var run = _s.Exec(dir, "sh", ["-c", command], env: env, timeout: TimeSpan.FromMinutes(5));
        var refused = comment.Success && comment.Groups["comment"].Value.StartsWith("refused", StringComparison.Ordinal);
        Assert.True(refused ? run.ExitCode != 0 : run.ExitCode == 0,
            $"README line `{line}` {(refused ? "should have been refused" : "failed")} (exit {run.ExitCode}):\n{run.Output}");
        return run;
    }

    [Fact]
    public void The_quick_start_installs_and_the_demo_walks_every_step_as_the_readme_says()
    {
        var blocks = Blocks("Quick start");
        Assert.Equal(["./install.sh && export PATH=\"$HOME/.local/bin:$PATH\" && git promote demo"], blocks[0]);
        Assert.Equal(["./test.sh"], blocks[1]);

        // From an unpacked release: its install.sh is this checkout's, and installs the program the release built.
        var unpacked = Path.Combine(_s.Root, "release");
        Directory.CreateDirectory(unpacked);
        _s.Exec(unpacked, "tar", ["-xzf", release.Tarball, "-C", unpacked, "--strip-components=1"]).EnsureOk();
        var env = new Dictionary<string, string?> { ["TMPDIR"] = _s.Root, ["PATH"] = "/usr/local/bin:/usr/bin:/bin" };
        var run = RunLine(unpacked, blocks[0][0], env);

        Assert.Contains(Path.Combine(_s.Home, ".local"), run.Stdout);
        Assert.Matches(@"All \d+ steps behaved as expected\.", run.Stdout);
    }

    [Fact]
    public void The_flow_of_use_it_in_your_clone_runs_as_written_pipeline_record_and_rollback_included()
    {
        var blocks = Blocks("Use it in your clone");
        Assert.True(blocks.Count >= 4, $"expected the flow, the pipeline's record, the records and pushes, and the rollback: {blocks.Count} blocks");
        var (flow, pipeline, records, rollback) = (blocks[0], blocks[1], blocks[2], blocks[3]);

        // The narration: a clone with one remote per environment, not yet wired and with no policy.
        var clone = Path.Combine(_s.Root, "app");
        _s.Git(_s.Root, "init", "--quiet", clone).EnsureOk();
        foreach (var env in new[] { "dev", "stg", "prd" }) _s.Git(clone, "remote", "add", env, _s.Bare(env)).EnsureOk();
        _s.Commit(clone, "v1");

        foreach (var line in flow) RunLine(clone, line);
        var v1 = _s.Git(clone, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

        // "in a pipeline's clone of that environment's repository, whose only remote is origin"
        var devPipeline = Path.Combine(_s.Root, "dev-pipeline");
        _s.Git(_s.Root, "clone", "--quiet", _s.Bare("dev"), devPipeline).EnsureOk();
        foreach (var line in pipeline)
            Assert.Contains("deployed: this pipeline run fetched it",
                RunLine(devPipeline, line, new Dictionary<string, string?> { ["CODEBUILD_RESOLVED_SOURCE_VERSION"] = v1 }).Stdout);

        foreach (var line in records) RunLine(clone, line);
        Assert.Equal(v1, _s.RemoteRef(_s.Bare("prd"), "refs/heads/main"));

        // "a second release", the same commands, so prd has a deployment to roll back to.
        _s.Commit(clone, "v2");
        _s.Git(clone, "push", "dev", "main").EnsureOk();
        foreach (var line in records) RunLine(clone, line);
        Assert.NotEqual(v1, _s.RemoteRef(_s.Bare("prd"), "refs/heads/main"));

        var said = rollback.Select(line => RunLine(clone, line).Stdout).ToList();
        Assert.Equal(v1, _s.RemoteRef(_s.Bare("prd"), "refs/heads/main"));
        // prd's pipeline recorded the rollback's deployment: status and history see prd restored.
        Assert.Contains(said, o => o.Contains($"recorded: a deployment of {v1[..12]} to prd (rollback)", StringComparison.Ordinal));
        Assert.Contains(said, o => o.Contains("(1 of 1 failure restored)", StringComparison.Ordinal));
    }
}
