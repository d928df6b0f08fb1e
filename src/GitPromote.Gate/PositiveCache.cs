using System.Text;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.Platform;

namespace GitPromote.Gate;

/// <summary>
/// Remembers commits that evidence proved green (a commit that was green stays green), so pushing the same
/// commit again costs no call. Negative answers are never stored. One line per fact in a file inside the git
/// directory; a damaged or oversized file is ignored, never trusted blindly.
/// </summary>
public sealed class PositiveCache(IFileSystem files, string path, string scope)
{
    private const long MaxBytes = 4 << 20;
    private Dictionary<string, GreenFact>? _entries;
    private readonly object _gate = new();

    /// <summary>Looked up, never written: a read ahead of the gate's own, which remembers what it finds.</summary>
    public bool ReadOnly { get; init; }

    public IReadOnlyDictionary<string, GreenFact> Lookup(EnvironmentPolicy env, EvidenceSource source, IEnumerable<string> commits)
    {
        var entries = Load();
        var hits = new Dictionary<string, GreenFact>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var commit in commits)
            {
                if (entries.TryGetValue(Key(env, source, commit), out var fact)) hits[commit] = fact;
            }
        }
        return hits;
    }

    public void Remember(EnvironmentPolicy env, EvidenceSource source, IEnumerable<GreenFact> facts)
    {
        if (ReadOnly) return;
        var lines = new StringBuilder();
        lock (_gate)
        {
            var entries = Load();
            foreach (var fact in facts)
            {
                var key = Key(env, source, fact.Commit);
                if (entries.TryAdd(key, fact))
                    lines.Append(key).Append('\t').Append(Clean(fact.Source)).Append('\t')
                        .Append(fact.RecordedAt?.ToUnixTimeSeconds().ToString() ?? "").Append('\t')
                        .Append(Clean(fact.RecordedBy ?? "")).Append('\n');
            }
            if (lines.Length == 0) return;
            try
            {
                files.CreateDirectory(Path.GetDirectoryName(path)!);
                files.AppendAllText(path, lines.ToString());
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private Dictionary<string, GreenFact> Load()
    {
        if (_entries is not null) return _entries;
        var entries = new Dictionary<string, GreenFact>(StringComparer.Ordinal);
        try
        {
            if (files.FileExists(path) && files.Length(path) <= MaxBytes)
            {
                foreach (var line in files.ReadLines(path))
                {
                    var f = line.Split('\t');
                    if (f.Length != 4) continue;
                    var key = f[0];
                    var commit = key[(key.LastIndexOf(' ') + 1)..];
                    DateTimeOffset? at = long.TryParse(f[2], out var secs) ? DateTimeOffset.FromUnixTimeSeconds(secs) : null;
                    entries[key] = new GreenFact(commit, f[1] + ", cached", at, f[3].Length == 0 ? null : f[3]);
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return _entries = entries;
    }

    /// <summary>The service name, environment and source are part of the key: a renamed pipeline proves nothing old.</summary>
    private string Key(EnvironmentPolicy env, EvidenceSource source, string commit) =>
        $"{scope} {env.Name} {source} {commit}".Replace('\t', ' ').Replace('\n', ' ');

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\n', ' ');
}
