using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>Reads the <c>environments:</c> list: each environment, its AWS access and its evidence sources.</summary>
internal sealed class EnvironmentReader(ValueReader values)
{
    private readonly PolicyErrorSink _errors = values.Errors;

    public IReadOnlyList<EnvironmentPolicy>? ReadAll(YamlValue value)
    {
        if (value is not YamlList list)
        {
            _errors.Add(value.At, "'environments' must be a list of environments, in promotion order");
            return null;
        }
        if (list.Items.Count < PolicyReader.MinEnvironments)
            _errors.Add(value.At,
                $"'environments' must list at least {PolicyReader.MinEnvironments} environments (the first one has no gate); found {list.Items.Count}");
        if (list.Items.Count > PolicyReader.MaxEnvironments)
            _errors.Add(value.At, $"'environments' may list at most {PolicyReader.MaxEnvironments} environments; found {list.Items.Count}");

        var environments = new List<EnvironmentPolicy>();
        var names = new Dictionary<string, Position>(StringComparer.OrdinalIgnoreCase);
        var remoteOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        for (var index = 0; index < list.Items.Count; index++)
        {
            var env = Read(list.Items[index], index, index == list.Items.Count - 1, names, remoteOwners);
            if (env is null) ok = false;
            else environments.Add(env);
        }
        return ok && list.Items.Count is >= PolicyReader.MinEnvironments and <= PolicyReader.MaxEnvironments ? environments : null;
    }

    private EnvironmentPolicy? Read(YamlValue value, int index, bool isLast, Dictionary<string, Position> names, Dictionary<string, string> remoteOwners)
    {
        var label = $"environment {index + 1}";
        if (MappingReader.Open(value, label, PolicyKeys.Environment, _errors) is not { } map) return null;

        string? name = null;
        if (map.Required("name", label) is { } nameValue && values.Text(nameValue, "name") is { } text)
        {
            if (!PolicyPatterns.EnvironmentName().IsMatch(text))
                _errors.Add(nameValue.At,
                    $"environment name must be 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit, not '{Quoting.Show(text)}'");
            else if (names.TryGetValue(text, out var first))
                _errors.Add(nameValue.At, $"duplicate environment name '{text}'; first at line {first.Line}");
            else
            {
                names[text] = nameValue.At;
                name = text;
                label = $"environment '{name}'";
            }
        }

        var remotes = map.Required("remotes", label) is { } remotesValue ? ReadRemotes(remotesValue, label, remoteOwners) : null;
        var aws = map.Optional("aws") is { } awsValue ? ReadAws(awsValue) : null;
        var awsOk = map.Optional("aws") is null || aws is not null;
        var evidence = map.Optional("evidence") is { } evidenceValue ? ReadEvidence(evidenceValue, label) : [new GitEvidence()];
        var require = map.Optional("require") is { } requireValue
            ? values.Choice(requireValue, "require", ("any", RequireMode.Any), ("all", RequireMode.All))
            : RequireMode.Any;

        var guardrails = new GuardrailReader(values).Read(map, label, isFirst: index == 0, isLast);

        if (name is null || remotes is null || !awsOk || evidence is null || require is null || guardrails is null) return null;
        return new EnvironmentPolicy(name, index, remotes, aws, evidence, require.Value)
        {
            Soak = guardrails.Soak,
            Freeze = guardrails.Freeze,
            FreezeAllowsRollback = guardrails.FreezeAllowsRollback,
            RequiredApprovals = guardrails.RequiredApprovals,
            Health = guardrails.Health,
        };
    }

    private IReadOnlyList<string>? ReadRemotes(YamlValue value, string owner, Dictionary<string, string> remoteOwners)
    {
        var ok = values.TextList(value, "remotes", out var list);
        if (ok && list.Count == 0)
        {
            _errors.Add(value.At, "'remotes' must list at least one remote name or URL glob");
            return null;
        }
        var mine = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (remote, at) in list)
        {
            if (!mine.Add(remote))
            {
                _errors.Add(at, $"remote '{Quoting.Show(Engine.RemoteUrls.Redact(remote))}' is listed twice");
                ok = false;
            }
            else if (remoteOwners.TryGetValue(remote, out var other))
            {
                _errors.Add(at, $"remote '{Quoting.Show(Engine.RemoteUrls.Redact(remote))}' is already used by {other}");
                ok = false;
            }
            else if (remote.Any(char.IsWhiteSpace))
            {
                _errors.Add(at, $"remote '{Quoting.Show(Engine.RemoteUrls.Redact(remote))}' must not contain spaces");
                ok = false;
            }
        }
        foreach (var remote in mine) remoteOwners.TryAdd(remote, owner);
        return ok ? list.Select(r => r.Value).ToList() : null;
    }

    private AwsAccess? ReadAws(YamlValue value)
    {
        if (MappingReader.Open(value, "'aws'", PolicyKeys.Aws, _errors) is not { } map) return null;
        var ok = true;

        string? region = null;
        if (map.Optional("region") is { } regionValue)
        {
            region = values.Text(regionValue, "region");
            if (region is not null && !PolicyPatterns.AwsRegion().IsMatch(region))
            {
                _errors.Add(regionValue.At, $"'region' must be an AWS region like eu-west-1, not '{Quoting.Show(region)}'");
                region = null;
            }
            else if (region is not null && AwsRegions.TypoOf(region) is { } meant)
            {
                _errors.Add(regionValue.At, $"'region' {region} is not an AWS region: did you mean {meant}?");
                region = null;
            }
            ok &= region is not null;
        }

        string? profile = null;
        if (map.Optional("profile") is { } profileValue)
        {
            profile = values.Text(profileValue, "profile");
            ok &= profile is not null;
        }

        string? roleArn = null;
        if (map.Optional("role_arn") is { } roleValue)
        {
            roleArn = values.Text(roleValue, "role_arn");
            if (roleArn is not null && !PolicyPatterns.RoleArn().IsMatch(roleArn))
            {
                _errors.Add(roleValue.At, $"'role_arn' must be an IAM role ARN like arn:aws:iam::123456789012:role/deployer, not '{Quoting.Show(roleArn)}'");
                roleArn = null;
            }
            ok &= roleArn is not null;
            if (map.Has("profile"))
            {
                _errors.Add(roleValue.At, "'profile' and 'role_arn' are mutually exclusive: use a profile, or a role assumed from the default credentials");
                ok = false;
            }
        }
        return ok ? new AwsAccess(region, profile, roleArn) : null;
    }

    private IReadOnlyList<EvidenceSource>? ReadEvidence(YamlValue value, string envLabel)
    {
        if (value is not YamlList list)
        {
            _errors.Add(value.At, "'evidence' must be a list of sources, e.g. '- git: {}'");
            return null;
        }
        if (list.Items.Count == 0)
        {
            _errors.Add(value.At, "'evidence' must list at least one source (git, ssm or codepipeline); leave it out for git");
            return null;
        }
        var sources = new List<EvidenceSource>();
        var seen = new Dictionary<string, Position>(StringComparer.Ordinal);
        var ok = true;
        foreach (var item in list.Items)
        {
            var source = ReadSource(item);
            if (source is null) { ok = false; continue; }
            if (seen.TryGetValue(source.Kind, out var first))
            {
                _errors.Add(item.At, $"evidence '{source.Kind}' is listed twice in {envLabel}; first at line {first.Line}");
                ok = false;
                continue;
            }
            seen[source.Kind] = item.At;
            sources.Add(source);
        }
        return ok ? sources : null;
    }

    private EvidenceSource? ReadSource(YamlValue item)
    {
        const string shape = "an evidence entry must be a mapping with exactly one key: git, ssm or codepipeline (e.g. '- git: {}')";
        if (item is not YamlMap { Entries.Count: 1 } map)
        {
            _errors.Add(item.At, item is YamlMap { Entries.Count: > 1 } many ? $"{shape}; found {many.Entries.Count} keys" : shape);
            return null;
        }
        var entry = map.Entries[0];
        switch (entry.Key)
        {
            case "git":
                return MappingReader.Open(entry.Value, "'git'", PolicyKeys.Git, _errors, nullIsEmpty: true) is { } git && HasNoSettings(git)
                    ? new GitEvidence() : null;
            case "ssm":
                return MappingReader.Open(entry.Value, "'ssm'", PolicyKeys.Ssm, _errors, nullIsEmpty: true) is { } ssm && HasNoSettings(ssm)
                    ? new SsmEvidence() : null;
            case "codepipeline":
                return ReadCodePipeline(entry.Value);
            case { Length: > 0 } unknown:
                _errors.Add(entry.KeyAt, PolicyKeys.EvidenceKinds.UnknownKeyMessage(unknown));
                return null;
            default:
                _errors.Add(entry.KeyAt, shape);
                return null;
        }
    }

    /// <summary><c>git</c> and <c>ssm</c> take no settings: their mapping is fine when nothing (unknown) is in it.</summary>
    private static bool HasNoSettings(MappingReader map) => map.Map.Entries.Count == 0;

    private CodePipelineEvidence? ReadCodePipeline(YamlValue value)
    {
        if (MappingReader.Open(value, "'codepipeline'", PolicyKeys.CodePipeline, _errors) is not { } map) return null;
        string? pipeline = null;
        if (map.Required("pipeline", "'codepipeline'") is { } pipelineValue && values.Text(pipelineValue, "pipeline") is { } p)
        {
            if (PolicyPatterns.PipelineName().IsMatch(p)) pipeline = p;
            else _errors.Add(pipelineValue.At,
                $"'pipeline' must be a CodePipeline name (at most 100 letters, digits, '.', '@', '_' or '-'), not '{Quoting.Show(p)}'");
        }
        string? stage = null;
        var stageOk = true;
        if (map.Optional("stage") is { } stageValue)
        {
            stage = values.Text(stageValue, "stage");
            if (stage is not null && !PolicyPatterns.PipelineName().IsMatch(stage))
            {
                _errors.Add(stageValue.At,
                    $"'stage' must be a CodePipeline stage name (at most 100 letters, digits, '.', '@', '_' or '-'), not '{Quoting.Show(stage)}'");
                stage = null;
            }
            stageOk = stage is not null;
        }
        int? max = CodePipelineEvidence.DefaultMaxExecutions;
        if (map.Optional("max_executions") is { } maxValue) max = values.Integer(maxValue, "max_executions", 1, 100_000);

        return pipeline is not null && stageOk && max is not null ? new CodePipelineEvidence(pipeline, stage, max.Value) : null;
    }
}
