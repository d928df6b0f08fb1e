namespace GitPromote.Cli.Tests.Support;

/// <summary>A valid .promote.yml as a user writes it: dev then stg, guarding <paramref name="branches"/>.</summary>
internal static class PolicyYaml
{
    public static string DevThenStg(params string[] branches) => $"""
        version: 1
        name: orders
        branches: [{string.Join(", ", branches.Length == 0 ? ["main"] : branches)}]
        environments:
          - name: dev
            remotes: [dev]
          - name: stg
            remotes: [stg]
        """;

    /// <summary><paramref name="policy"/> with <paramref name="lines"/> added to environment <paramref name="env"/> (after its remotes).</summary>
    public static string With(string policy, string env, params string[] lines) =>
        policy.Replace($"    remotes: [{env}]\n", $"    remotes: [{env}]\n" + string.Concat(lines.Select(l => "    " + l + "\n")));
}
