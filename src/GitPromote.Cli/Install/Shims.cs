using GitPromote.Cli.Infrastructure;

namespace GitPromote.Cli.Install;

/// <summary>
/// The hook shims this binary was built with (hooks/*, embedded): written into shared hooks folders by
/// <c>install --hooks-dir</c>, and the reference an installed shim is compared with to tell whether it is current.
/// </summary>
public static class Shims
{
    /// <summary>The hooks a clone runs on the client side; a shared client hooks folder gets only these.</summary>
    public static IReadOnlyList<string> ClientHooks { get; } = ["pre-push"];

    /// <summary>
    /// Whether the file at <paramref name="path"/> is one of our shims (any version: the marker is in its first lines);
    /// null when it cannot be read.
    /// </summary>
    public static bool? IsShim(string path) => IsShim(SystemFileSystem.Instance, path);

    public static bool? IsShim(IFileSystem files, string path) =>
        files.ReadStart(path, 512) is { } head ? head.Contains(HookChain.ShimMarker, StringComparison.Ordinal) : null;

    /// <summary>The shim for <paramref name="hookName"/>, with LF line ends, or null when this binary has none.</summary>
    public static string? Text(string hookName)
    {
        using var stream = typeof(Shims).Assembly.GetManifestResourceStream("hooks/" + hookName);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }
}
