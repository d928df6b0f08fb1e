using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Core.Push;
using GitPromote.Git;

namespace GitPromote.Git.Evidence;

/// <summary>
/// Green records of the environment this server repository is: its own <c>refs/promote/green/&lt;commit&gt;</c>, read
/// with <c>git for-each-ref</c> (no transport). Refs hold their values from before the push, so a push cannot make
/// its own commit green here by sending the green ref along with it.
/// </summary>
public sealed class LocalGreenReader(string gitDir, EnvironmentPolicy environment, GitProcess git) : IEvidenceReader
{
    /// <summary>Above this many commits, one listing of all green refs is cheaper than naming each.</summary>
    private const int MaxNamedPatterns = 256;

    public string Label => $"git refs of {environment.Name} (this repository)";

    private string Source => $"git ref on {environment.Name}";

    public async Task<IReadOnlyList<GreenFact>> FindGreenAsync(IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        var wanted = commits.Select(c => c.ToLowerInvariant()).Where(ObjectIds.IsValid).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return [];
        var patterns = wanted.Count <= MaxNamedPatterns ? wanted.Select(c => RecordRefs.GreenPrefix + c).ToList() : [RecordRefs.GreenPrefix];
        var set = new HashSet<string>(wanted, StringComparer.Ordinal);
        return (await ListAsync([], patterns, cancellationToken)).Where(f => set.Contains(f.Commit)).ToList();
    }

    public Task<IReadOnlyList<GreenFact>> ListGreenAsync(int max, CancellationToken cancellationToken) =>
        ListAsync(["--sort=-creatordate", $"--count={Math.Max(1, max)}"], [RecordRefs.GreenPrefix], cancellationToken);

    private async Task<IReadOnlyList<GreenFact>> ListAsync(IReadOnlyList<string> options, IReadOnlyList<string> patterns, CancellationToken cancellationToken)
    {
        GitResult result;
        try
        {
            result = await git.RunAsync(gitDir,
                ["--git-dir=" + gitDir, "for-each-ref", "--format=%(refname)%09%(creatordate:unix)", .. options, "--", .. patterns],
                null, cancellationToken);
        }
        catch (GitCommandException e)
        {
            throw Unavailable(e.Message);
        }
        if (!result.Succeeded) throw Unavailable(result.Stderr.Trim());

        var facts = new List<GreenFact>();
        foreach (var line in result.StdoutText.Split('\n'))
        {
            var tab = line.IndexOf('\t');
            if (tab < 0 || !line.StartsWith(RecordRefs.GreenPrefix, StringComparison.Ordinal)) continue;
            var commit = line[RecordRefs.GreenPrefix.Length..tab].ToLowerInvariant();
            if (!ObjectIds.IsValid(commit)) continue;
            DateTimeOffset? at = long.TryParse(line[(tab + 1)..], out var secs) && secs > 0 ? DateTimeOffset.FromUnixTimeSeconds(secs) : null;
            facts.Add(new GreenFact(commit, Source, at));
        }
        return facts;
    }

    private EvidenceUnavailableException Unavailable(string why) => new(new EvidenceFailure(
        $"cannot read the green refs of {environment.Name} in this repository", why.Length > 0 ? why : "git for-each-ref failed",
        "ask the server admin to check the repository (git fsck)"));
}
