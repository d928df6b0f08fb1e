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
