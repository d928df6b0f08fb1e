using GitPromote.Core.Settings;

namespace GitPromote.Core.Server;

/// <summary>
/// The push options git hands a pre-receive hook (<c>GIT_PUSH_OPTION_COUNT</c>, <c>GIT_PUSH_OPTION_0..N</c>;
/// only when <c>receive.advertisePushOptions</c> is on). They come from the pusher: untrusted, so bounded.
/// </summary>
public static class PushOptions
{
    /// <summary>More options than this are not read (git's own default limit is far lower).</summary>
    public const int MaxOptions = 1000;

    public static IReadOnlyList<string> Read(IProcessEnvironment environment)
    {
        if (!int.TryParse(environment.Get("GIT_PUSH_OPTION_COUNT"), out var count) || count <= 0) return [];
        var options = new List<string>();
        for (var i = 0; i < Math.Min(count, MaxOptions); i++)
        {
            if (environment.Get($"GIT_PUSH_OPTION_{i}") is { } option) options.Add(option);
        }
        return options;
    }

    /// <summary>The justification of <c>-o promote.bypass=&lt;text&gt;</c> (the last one, when given twice), bounded as on a client; null when absent or
    /// blank.</summary>
    public static string? BypassJustification(IReadOnlyList<string> options)
    {
        const string prefix = PromoteSettings.GitKeys.Bypass + "=";
        string? found = null;
        foreach (var option in options)
        {
            if (option.StartsWith(prefix, StringComparison.Ordinal)) found = option[prefix.Length..];
        }
        return Push.BypassJustification.Bound(found);
    }
}
