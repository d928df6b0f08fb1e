using GitPromote.Platform;

namespace GitPromote.Cli.Install;

/// <summary>
/// The hook shims this binary was built with (hooks/*, embedded): the guard's <c>pre-push</c> and <c>pre-receive</c>, the
/// pass-through hook written under every other hook name git runs from a hooks folder, and the library those read. They
/// are what an installation's hooks folder must hold, what <c>install</c> repairs it with, what <c>install --hooks-dir</c>
/// writes into shared folders, and the reference an installed shim is compared with to tell whether it is current.
/// </summary>
public static class Shims
{
    /// <summary>The file the pass-through hooks read (hooks/git-promote-pass-through): which hook of their name to run.</summary>
    public const string LibraryName = "git-promote-pass-through";

    /// <summary>The pass-through hook as it is kept in hooks/; installed under each of <see cref="PassThroughHooks"/>.</summary>
    public const string PassThroughTemplate = "pass-through";

    /// <summary>The hooks a clone runs on the client side that git-promote guards; a shared client hooks folder gets these.</summary>
    public static IReadOnlyList<string> ClientHooks { get; } = ["pre-push"];

    /// <summary>
    /// Every hook name git runs from a hooks folder other than the guard's own and <see cref="PerRefHooks"/>, as the
    /// pass-through hook lists them (its <c># hooks:</c> lines): core.hooksPath hides the clone's own hooks of these names,
    /// so an installation holds a pass-through hook under each.
    /// </summary>
    public static IReadOnlyList<string> PassThroughHooks { get; } = ListedHooks();

    /// <summary>
    /// Hooks git runs for every ref it updates (reference-transaction two or three times a ref, update once a pushed ref):
    /// a pass-through there would start a shell per ref of every fetch and push, so none is installed, and install and
    /// doctor say when one of them is hidden.
    /// </summary>
    public static IReadOnlyList<string> PerRefHooks { get; } = ["reference-transaction", "update"];

    /// <summary>The files an installation's hooks folder holds (install.sh, install.ps1 and the release packages lay them out).</summary>
    public static IReadOnlyList<string> InstalledFiles { get; } = ["pre-push", "pre-receive", LibraryName, .. PassThroughHooks];

    /// <summary>
    /// Whether the file at <paramref name="path"/> is one of our shims (any version: the marker is in its first lines);
    /// null when it cannot be read.
    /// </summary>
    public static bool? IsShim(IFileSystem files, string path) =>
        files.ReadStart(path, 512) is { } head ? head.Contains(HookChain.ShimMarker, StringComparison.Ordinal) : null;

    /// <summary>The file this binary installs as <paramref name="hookName"/>, with LF line ends, or null when it has none.</summary>
    public static string? Text(string hookName) =>
        Resource(PassThroughHooks.Contains(hookName) || PerRefHooks.Contains(hookName) ? PassThroughTemplate : hookName);

    private static string? Resource(string name)
    {
        using var stream = typeof(Shims).Assembly.GetManifestResourceStream("hooks/" + name);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }

    private static List<string> ListedHooks() =>
        [.. (Resource(PassThroughTemplate) ?? "").Split('\n')
            .Where(line => line.StartsWith("# hooks: ", StringComparison.Ordinal))
            .SelectMany(line => line["# hooks: ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
