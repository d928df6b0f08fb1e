namespace GitPromote.Core.Push;

/// <summary>Ref names as people type them.</summary>
public static class RefNames
{
    /// <summary>A branch ref without <c>refs/heads/</c> (<c>refs/heads/main</c> -> <c>main</c>); any other ref as it is.</summary>
    public static string Short(string refName) =>
        refName.StartsWith("refs/heads/", StringComparison.Ordinal) ? refName["refs/heads/".Length..] : refName;
}
