using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// A CloudFormation template as it would stand deployed in one account: every intrinsic (Ref, Fn::GetAtt, Fn::Join,
/// Fn::Sub) replaced by the name or ARN CloudFormation would give it, so its IAM policies can be evaluated. A resource
/// without an explicit name gets its logical id as name (CloudFormation would add a suffix; no policy here depends on it).
/// </summary>
public sealed partial class ResolvedTemplate
{
    public const string Region = "eu-west-1";
    public string Account { get; }
    public JsonObject Resources { get; }
    private readonly JsonObject raw;
    private readonly IReadOnlyDictionary<string, string> parameters;

    public JsonObject Outputs { get; }

    public ResolvedTemplate(JsonObject template, string account, IReadOnlyDictionary<string, string>? parameters = null)
    {
        Account = account;
        raw = (JsonObject)template["Resources"]!;
        this.parameters = parameters ?? new Dictionary<string, string>
        {
            ["GitPromoteBinaryBucket"] = "platform-artifacts",
            ["GitPromoteBinaryKey"] = "git-promote/git-promote-linux-x64.tar.gz",
            ["GitPromoteBinarySha256"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        };
        Resources = (JsonObject)Resolve(raw)!;
        Outputs = (JsonObject?)Resolve(template["Outputs"]) ?? [];
    }

    public string Type(string id) => raw[id]!["Type"]!.GetValue<string>();
    public JsonObject Properties(string id) => (JsonObject?)Resources[id]!["Properties"] ?? [];
    public IEnumerable<string> OfType(string type) => raw.Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => r.Key);

    /// <summary>The roles of the template: ARN, trust policy, and every identity policy attached (inline AWS::IAM::Policy and the template's managed
    /// policies).</summary>
    public IReadOnlyList<TemplateRole> Roles() => OfType("AWS::IAM::Role").Select(id =>
    {
        var properties = Properties(id);
        var policies = OfType("AWS::IAM::Policy")
            .Where(p => RefersTo(raw[p]!["Properties"]!["Roles"], id))
            .Select(p => new NamedPolicy(p, Properties(p)["PolicyDocument"]!.DeepClone()))
            .Concat(OfType("AWS::IAM::ManagedPolicy")
                .Where(p => RefersTo(raw[p]!["Properties"]!["Roles"], id))
                .Select(p => new NamedPolicy(p, Properties(p)["PolicyDocument"]!.DeepClone())))
            .ToList();
        return new TemplateRole(id, Arn(id), properties["AssumeRolePolicyDocument"]!.DeepClone(), policies);
    }).ToList();

    public TemplateRole Role(string id) => Roles().Single(r => r.Id == id);

    public NamedPolicy ManagedPolicy(string id) => new(id, Properties(id)["PolicyDocument"]!.DeepClone());

    /// <summary>The CodeBuild project whose build commands contain <paramref name="command"/> (e.g. "git promote record").</summary>
    public string ProjectRunning(string command) =>
        OfType("AWS::CodeBuild::Project").Single(p => Properties(p)["Source"]?["BuildSpec"]?.GetValue<string>().Contains(command) == true);

    public string Name(string id) => PhysicalName(id);

    public string Arn(string id) => Type(id) switch
    {
        "AWS::IAM::Role" => $"arn:aws:iam::{Account}:role{Path(id)}{PhysicalName(id)}",
        "AWS::IAM::ManagedPolicy" => $"arn:aws:iam::{Account}:policy/{PhysicalName(id)}",
        "AWS::CodeBuild::Project" => $"arn:aws:codebuild:{Region}:{Account}:project/{PhysicalName(id)}",
        "AWS::CodePipeline::Pipeline" => $"arn:aws:codepipeline:{Region}:{Account}:{PhysicalName(id)}",
        "AWS::CodeCommit::Repository" => $"arn:aws:codecommit:{Region}:{Account}:{PhysicalName(id)}",
        "AWS::S3::Bucket" => $"arn:aws:s3:::{PhysicalName(id)}",
        "AWS::Logs::LogGroup" => $"arn:aws:logs:{Region}:{Account}:log-group:{PhysicalName(id)}:*",
        "AWS::SSM::Parameter" => $"arn:aws:ssm:{Region}:{Account}:parameter/{PhysicalName(id).TrimStart('/')}",
        var type => throw new NotSupportedException($"no ARN form for {type} ({id})"),
    };

    /// <summary>An IAM resource's path (<c>/</c> unless it sets one), part of its ARN.</summary>
    private string Path(string id) => (raw[id]!["Properties"] as JsonObject)?["Path"] is { } path ? Text(Resolve(path)) : "/";

    private string PhysicalName(string id)
    {
        var properties = raw[id]!["Properties"] as JsonObject;
        foreach (var key in new[] { "RoleName", "ManagedPolicyName", "RepositoryName", "BucketName", "LogGroupName", "Name" })
            if (properties?[key] is { } name) return Text(Resolve(name));
        return id;
    }

    private static bool RefersTo(JsonNode? list, string id) =>
        list is JsonArray array && array.Any(e => e is JsonObject o && o["Ref"]?.GetValue<string>() == id);

    /// <summary>Any part of the template (an output's value, say) with its intrinsics resolved.</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray(array.Select(Resolve).ToArray());
            case JsonObject o when o.Count == 1 && o.First().Key is "Ref" or "Fn::GetAtt" or "Fn::Join" or "Fn::Sub" or "Fn::Select" or "Fn::Split":
                {
                    var (key, value) = o.First();
                    return key switch
                    {
                        "Ref" => Ref(value!.GetValue<string>()),
                        "Fn::GetAtt" => GetAtt(value![0]!.GetValue<string>(), value[1]!.GetValue<string>()),
                        "Fn::Join" => string.Join(value![0]!.GetValue<string>(), ((JsonArray)Resolve(value[1])!).Select(Text)),
                        "Fn::Sub" => Sub(value!.GetValue<string>()),
                        _ => throw new NotSupportedException($"{key} in a template: teach ResolvedTemplate to resolve it"),
                    };
                }
            case JsonObject o:
                {
                    var copy = new JsonObject();
                    foreach (var (k, v) in o) copy[k] = Resolve(v);
                    return copy;
                }
            default:
                return node?.DeepClone();
        }
    }

    private string Ref(string name) => name switch
    {
        "AWS::Partition" => "aws",
        "AWS::AccountId" => Account,
        "AWS::Region" => Region,
        "AWS::URLSuffix" => "amazonaws.com",
        "AWS::StackName" => "stack",
        _ when parameters.TryGetValue(name, out var value) => value,
        _ when raw.ContainsKey(name) => Type(name) == "AWS::IAM::ManagedPolicy" ? Arn(name) : PhysicalName(name),
        _ => throw new NotSupportedException($"Ref {name}: no such parameter or resource"),
    };

    private string GetAtt(string id, string attribute) => attribute switch
    {
        "Arn" => Arn(id),
        "Name" => PhysicalName(id),
        _ => $"{PhysicalName(id)}.{attribute}",
    };

    private string Sub(string text) => SubVariable().Replace(text, m =>
        m.Groups[1].Value.Split('.') is [var id, var attribute] ? GetAtt(id, attribute) : Ref(m.Groups[1].Value));

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [GeneratedRegex(@"\$\{([A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariable();
}

public sealed record NamedPolicy(string Name, JsonNode Document);

public sealed record TemplateRole(string Id, string Arn, JsonNode Trust, IReadOnlyList<NamedPolicy> Policies);
