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

    /// <summary>The integration tests' standard policy (IntegrationTests' Sandbox.StandardPolicy, line for line): dev, stg, prd on git evidence.</summary>
    public const string Standard = """
        version: 1
        name: orders-service
        branches: [main]
        environments:
          - name: dev
            remotes: [dev]
            evidence:
              - git: {}
          - name: stg
            remotes: [stg]
            evidence:
              - git: {}
          - name: prd
            remotes: [prd]
            evidence:
              - git: {}
        rollback: previously-green
        bypass:
          justification: '^[A-Z]+-[0-9]+: .{10,}'
        on_error: block
        timeout: 10s

        """;

    /// <summary><paramref name="policy"/> with <paramref name="lines"/> added to environment <paramref name="env"/> (after its remotes).</summary>
    public static string With(string policy, string env, params string[] lines) =>
        policy.Replace($"    remotes: [{env}]\n", $"    remotes: [{env}]\n" + string.Concat(lines.Select(l => "    " + l + "\n")));
}
