using System.Text.RegularExpressions;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The folders of GitPromote.Cli form layers: a folder may use the ones below it, never one that uses it back, and only
/// App (the entry point) may reach the commands. Read from the source, so a new loop fails here, not in review.
/// </summary>
public sealed class CliLayeringTests
{
    private static readonly string CliSource = Path.Combine(TestSupport.RepositoryRoot.Path, "src", "GitPromote.Cli");

    [Fact]
    public void No_folder_of_the_cli_uses_a_folder_that_uses_it_back()
    {
        var graph = FolderGraph();
        var loops = graph.SelectMany(from => from.Value.Where(to => Reaches(graph, to, from.Key)).Select(to => $"{from.Key} -> {to}")).ToList();
        Assert.True(loops.Count == 0, "folders in a loop: " + string.Join(", ", loops));
    }

    [Fact]
    public void Only_the_entry_point_uses_the_commands()
    {
        var users = FolderGraph().Where(f => f.Key != "" && f.Key != "Commands" && f.Value.Contains("Commands")).Select(f => f.Key).ToList();
        Assert.Empty(users);
    }

    [Fact]
    public void The_graph_is_read_from_real_sources()
    {
        // Guards the two tests above against passing on an empty or misread tree.
        var graph = FolderGraph();
        Assert.Contains("Commands", graph.Keys);
        Assert.Contains("Output", graph["Commands"]);
    }

    /// <summary>
    /// The projects form layers too, each using only those below it: the gate (GitPromote.Gate) composes Core, Git, Aws and
    /// Platform and never the CLI that asks it; the CLI renders and reads hooks' input on top. Read from each project's
    /// references and from the namespaces its code names.
    /// </summary>
    private static readonly Dictionary<string, string[]> ProjectUses = new()
    {
        ["Core"] = [],
        ["Platform"] = ["Core"],
        ["Git"] = ["Core", "Platform"],
        ["Aws"] = ["Core"],
        ["Gate"] = ["Core", "Platform", "Git", "Aws"],
        ["Cli"] = ["Core", "Platform", "Git", "Aws", "Gate"],
    };

    [Fact]
    public void Each_project_uses_only_the_projects_below_it()
    {
        var found = new List<string>();
        foreach (var (project, allowed) in ProjectUses)
        {
            var csproj = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Path, "src", $"GitPromote.{project}", $"GitPromote.{project}.csproj"));
            found.AddRange(Regex.Matches(csproj, @"<ProjectReference\s+Include=""[^""]*GitPromote\.(\w+)\.csproj""").Select(m => m.Groups[1].Value)
                .Where(used => !allowed.Contains(used)).Select(used => $"GitPromote.{project}.csproj references GitPromote.{used}"));
            foreach (var (file, code) in Sources([project]))
                found.AddRange(Regex.Matches(code, @"\bGitPromote\.(\w+)").Select(m => m.Groups[1].Value).Distinct()
                    .Where(used => used != project && ProjectUses.ContainsKey(used) && !allowed.Contains(used))
                    .Select(used => $"{file} uses GitPromote.{used}"));
        }
        Assert.True(found.Count == 0, "a project using one it may not:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_gate_is_read_from_real_sources()
    {
        // Guards the test above against passing on an empty or misread tree: the gate exists and names what it composes.
        var gate = Sources(["Gate"]).ToList();
        Assert.Contains(gate, s => s.File == "Gate/GateService.cs");
        Assert.Contains(gate, s => s.Code.Contains("GitPromote.Git", StringComparison.Ordinal));
    }

    /// <summary>
    /// Where the outside world may be touched directly: the disk (System.IO's File, Directory, FileInfo, FileStream, a
    /// StreamReader on a path), other programs (Process.Start), git processes (<c>GitProcess.Default</c>), the clock, the
    /// environment and the console each have one implementation, in GitPromote.Platform (or GitProcess itself), which
    /// only the composition root (<c>CommandContext.System()</c>) creates. Everything else is handed the context's.
    /// </summary>
    private static readonly (string What, Regex Pattern, string[] AllowedIn)[] OutsideWorld =
    [
        ("a direct file or folder call", new(@"(?<![\w.])(System\.IO\.)?(File|Directory)\.[A-Z]\w*|\bnew\s+(System\.IO\.)?(FileInfo|DirectoryInfo|FileStream)\b"
            + @"|\bnew\s+(System\.IO\.)?Stream(Reader|Writer)\s*\((?!\s*\w*[sS]tream\s*[,)])"), []),
        ("a process started directly", new(@"\bProcess\.Start\b|\bnew\s+(System\.Diagnostics\.)?Process(StartInfo)?\b"), ["Git/GitProcess.cs"]),
        ("git processes not from the context", new(@"\bGitProcess\.Default\b"), ["Cli/Infrastructure/CommandContext.cs"]),
        ("a system implementation made outside the composition root",
            new(@"\bnew\s+System(FileSystem|Clock|Console|ProcessStarter)\b|\bSystem(FileSystem|Environment)\.Instance\b"),
            ["Cli/Infrastructure/CommandContext.cs"]),
        ("the clock read directly", new(@"\bDateTime(Offset)?\.(Utc)?Now\b"), []),
        ("the environment read directly", new(@"(?<![\w.])(System\.)?Environment\.(GetEnvironmentVariable|CurrentDirectory)\b"), ["Git/GitProcess.cs"]),
        ("the console used directly",
            new(@"\bSystem\.Console\b|(?<![\w.])Console\.(Write|WriteLine|Read\w*|OpenStandard\w+|Is\w+Redirected|Set\w+|In)\b"), []),
    ];

    private static readonly string[] ScannedProjects = ["Core", "Git", "Aws", "Gate", "Cli"];

    [Fact]
    public void The_outside_world_is_touched_only_through_the_context()
    {
        var found = new List<string>();
        foreach (var (file, code) in Sources())
        {
            foreach (var (what, pattern, allowed) in OutsideWorld)
            {
                if (allowed.Contains(file)) continue;
                found.AddRange(pattern.Matches(code).Select(m => $"{file}: {what}: {m.Value}"));
            }
        }
        Assert.True(found.Count == 0, "outside the context's implementations:\n" + string.Join("\n", found));
    }

    [Fact]
    public void Every_allowance_for_the_outside_world_is_used()
    {
        // Guards the test above against passing on a misread tree or a pattern that matches nothing.
        var sources = Sources().ToDictionary(s => s.File, s => s.Code);
        var unused = OutsideWorld.SelectMany(rule => rule.AllowedIn.Where(file => !sources.TryGetValue(file, out var code) || !rule.Pattern.IsMatch(code))
            .Select(file => $"{file}: {rule.What}")).ToList();
        Assert.True(unused.Count == 0, "allowed but not there: " + string.Join(", ", unused));
    }

    /// <summary>
    /// The clients that reach evidence (git remotes, git and AWS stores, the positive cache, fetches started ahead) are
    /// made in one place, the composition root the context holds (<c>Gate/EvidenceClients.cs</c>): a command asks the
    /// context for them, so a test's context can hand it fakes. The AWS SDK's runtime is registered there too.
    /// </summary>
    private static readonly Regex EvidenceClientMade = new(
        @"\bnew\s+(" + EvidenceClients + @")\b|\b(" + EvidenceClients + @")\??\s+\w+\s*(\([^)]*\))?\s*(=>|=|\?\?=)\s*new\s*\(|\bAwsRuntimeSetup\.Register\b");

    private const string EvidenceClients = "GitRemoteClient|GitEvidenceProvider|AwsEvidenceProvider|AwsEnvironmentAccess|CompositeEvidenceProvider"
        + "|PositiveCache|FetchesAhead|ServerEvidenceProvider|LocalGreenReader|LocalReviewStore|PendingRecordStore";

    /// <summary>The composition root; and the AWS provider, which makes each environment's access itself.</summary>
    private static readonly string[] EvidenceClientsMadeIn = ["Gate/EvidenceClients.cs", "Aws/AwsEvidenceProvider.cs"];

    [Fact]
    public void Evidence_clients_are_made_only_by_the_composition_root()
    {
        var found = Sources(AllProjects).Where(s => !EvidenceClientsMadeIn.Contains(s.File))
            .SelectMany(s => EvidenceClientMade.Matches(s.Code).Select(m => $"{s.File}: {Regex.Replace(m.Value, @"\s+", " ")}")).ToList();
        Assert.True(found.Count == 0, "evidence clients made outside the composition root:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_composition_root_makes_the_evidence_clients()
    {
        // Guards the test above against passing on a misread tree or a pattern that matches nothing.
        var sources = Sources(AllProjects).ToDictionary(s => s.File, s => s.Code);
        var unused = EvidenceClientsMadeIn.Where(file => !sources.TryGetValue(file, out var code) || !EvidenceClientMade.IsMatch(code)).ToList();
        Assert.True(unused.Count == 0, "allowed but making none: " + string.Join(", ", unused));
    }

    /// <summary>The gate's own parts are the service's: made inside GitPromote.Gate only, never by a command.</summary>
    [Fact]
    public void The_push_gate_and_the_evidence_gatherer_are_made_only_inside_the_gate_service()
    {
        var found = Sources(AllProjects).Where(s => !s.File.StartsWith("Gate/", StringComparison.Ordinal))
            .SelectMany(s => Regex.Matches(s.Code, @"\bnew\s+(PushGate|EvidenceGatherer)\b").Select(m => $"{s.File}: {m.Value}")).ToList();
        Assert.True(found.Count == 0, "made outside the gate service:\n" + string.Join("\n", found));
    }

    private static readonly string[] AllProjects = ["Core", "Platform", "Git", "Aws", "Gate", "Cli"];

    /// <summary>Each C# file of the scanned projects as "Project/relative/path.cs", without its comments.</summary>
    private static IEnumerable<(string File, string Code)> Sources(string[]? projects = null)
    {
        foreach (var project in projects ?? ScannedProjects)
        {
            var root = Path.Combine(TestSupport.RepositoryRoot.Path, "src", "GitPromote." + project);
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
                yield return ($"{project}/{relative}", Regex.Replace(File.ReadAllText(file), @"//[^\n]*", ""));
            }
        }
    }

    /// <summary>Folder -> the sibling folders its files name, through a using directive or a qualified name.</summary>
    private static Dictionary<string, HashSet<string>> FolderGraph()
    {
        var folders = Directory.GetDirectories(CliSource).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj")).Select(n => n!).ToHashSet();
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var file in Directory.EnumerateFiles(CliSource, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(CliSource, file);
            var folder = relative.Contains(Path.DirectorySeparatorChar) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)] : "";
            if (folder is "bin" or "obj") continue;
            var uses = graph.TryGetValue(folder, out var set) ? set : graph[folder] = [];
            var code = Regex.Replace(File.ReadAllText(file), @"//[^\n]*", "");
            foreach (Match m in Regex.Matches(code, @"\bGitPromote\.Cli\.(\w+)|(?<![\w.])(\w+)\.[A-Z]\w*"))
            {
                var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                if (name != folder && folders.Contains(name)) uses.Add(name);
            }
        }
        return graph;
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([from]);
        while (stack.TryPop(out var at))
        {
            if (at == to) return true;
            if (!seen.Add(at) || !graph.TryGetValue(at, out var next)) continue;
            foreach (var n in next) stack.Push(n);
        }
        return false;
    }
}
