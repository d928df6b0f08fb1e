using GitPromote.Cli.Infrastructure;
using GitPromote.Core.Policy;
using GitPromote.Platform;

namespace GitPromote.Cli.Workspaces;

public sealed record LoadedPolicy(PromotionPolicy Policy, string DisplayPath);

/// <summary>Finds and loads <c>.promote.yml</c>. An invalid policy ends the command with exit 2 and every error, located.</summary>
public static class PolicySource
{
    /// <summary>The policy in a work tree; null when the repository has none (it is then not promote-managed).</summary>
    public static LoadedPolicy? FromWorkTree(IFileSystem files, string workTree)
    {
        var path = Path.Combine(workTree, PromotionPolicy.FileName);
        string? text;
        try { text = files.ReadRegularFile(path, PromotionPolicy.FileName, PolicyLoader.MaxBytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.UsageOrPolicy, $"{PromotionPolicy.FileName}: cannot be read ({e.Message})");
        }
        if (text is null) return null;
        return FromText(text, PromotionPolicy.FileName, DefaultName(workTree));
    }

    public static LoadedPolicy FromText(string text, string displayPath, string defaultName)
    {
        var result = PolicyLoader.Load(text, displayPath, defaultName);
        if (result.Policy is { } policy) return new LoadedPolicy(policy, displayPath);
        throw new PolicyInvalidException(displayPath, result.Errors);
    }

    /// <summary>The environment a command names, or exit 2 listing the policy's environments.</summary>
    public static EnvironmentPolicy RequireEnvironment(PromotionPolicy policy, string name) =>
        policy.FindEnvironment(name) ?? throw CommandFailedException.Usage(
            $"unknown environment '{name}'", $"environments in {PromotionPolicy.FileName}: {string.Join(", ", policy.Environments.Select(e => e.Name))}");

    /// <summary>The service name when the policy gives none: the repository folder, without <c>.git</c>.</summary>
    public static string DefaultName(string repositoryPath)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(repositoryPath)));
        if (name == ".git") name = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(repositoryPath)))) ?? name;
        return name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : name;
    }
}

public sealed class PolicyInvalidException(string path, IReadOnlyList<PolicyError> errors)
    : Exception($"{path} is not valid")
{
    public IReadOnlyList<PolicyError> Errors { get; } = errors;
    public string PolicyPath { get; } = path;
}
