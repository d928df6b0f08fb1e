using System.Reflection;
using System.Security.Cryptography;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3.Assets;
using Constructs;

namespace GitPromote.Cdk;

/// <summary>
/// Where the CodeBuild actions get the git-promote linux-x64 release tarball from (bin/git-promote + libgit2), so a
/// build needs nothing from the internet: S3 only. The tarball's version is the one that built this construct, and its
/// SHA-256 is part of the template: a build checks the object it downloaded against it before unpacking anything.
/// </summary>
public abstract class GitPromoteBinary
{
    /// <summary>The git-promote version this construct was built with; the tarball must be this version.</summary>
    public static string ConstructVersion { get; } = ReadVersion();

    /// <summary>
    /// The release tarball (<c>git-promote-VERSION-linux-x64.tar.gz</c>) as a CDK file asset, named by its content: other
    /// bytes (a rebuilt or altered tarball of the same version) are another object, uploaded by the next deploy, and the
    /// builds expect the SHA-256 of exactly these bytes.
    /// </summary>
    public static GitPromoteBinary FromTarball(string path) => new TarballAsset(path);

    /// <summary>
    /// A tarball that already sits in S3 (a platform team's artifact bucket), given by the template's deployer as
    /// three CloudFormation parameters without defaults (bucket, key and the tarball's SHA-256, from the release's
    /// SHA256SUMS): a stack cannot be created without them.
    /// </summary>
    public static GitPromoteBinary FromTemplateParameters() => new TemplateParameters();

    internal abstract BinaryLocation Bind(Construct scope);

    private static string ReadVersion()
    {
        var informational = typeof(GitPromoteBinary).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    private sealed class TarballAsset(string path) : GitPromoteBinary
    {
        internal override BinaryLocation Bind(Construct scope)
        {
            var expected = $"git-promote-{ConstructVersion}-linux-x64.tar.gz";
            if (!File.Exists(path))
                throw new ArgumentException(
                    $"the git-promote tarball '{path}' does not exist; the pipeline's gate and record actions need it. " +
                    $"Build it with ./release.sh (it writes {expected}) and pass its path.");
            if (!string.Equals(Path.GetFileName(path), expected, StringComparison.Ordinal))
                throw new ArgumentException(
                    $"the git-promote tarball must be {expected}, the version of this construct, not '{Path.GetFileName(path)}'. " +
                    "Upgrade the construct's package and the tarball together.");
            // The asset is named by the hash of its bytes (the CDK's default), and the build checks the bytes it downloads.
            var asset = new Asset(scope, "GitPromoteBinary", new AssetProps { Path = path });
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            return new BinaryLocation(asset.S3BucketName, asset.S3ObjectKey, asset.Bucket.ArnForObjects(asset.S3ObjectKey), sha256);
        }
    }

    private sealed class TemplateParameters : GitPromoteBinary
    {
        internal override BinaryLocation Bind(Construct scope)
        {
            var stack = Stack.Of(scope);
            var bucket = new CfnParameter(stack, "GitPromoteBinaryBucket", new CfnParameterProps
            {
                Type = "String",
                AllowedPattern = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                Description = $"S3 bucket holding git-promote-{ConstructVersion}-linux-x64.tar.gz (readable by this account)",
            });
            var key = new CfnParameter(stack, "GitPromoteBinaryKey", new CfnParameterProps
            {
                Type = "String",
                MinLength = 1,
                Description = $"Object key of git-promote-{ConstructVersion}-linux-x64.tar.gz in that bucket",
            });
            var sha256 = new CfnParameter(stack, "GitPromoteBinarySha256", new CfnParameterProps
            {
                Type = "String",
                AllowedPattern = "^[0-9a-f]{64}$",
                Description = "SHA-256 of that tarball, as the release's SHA256SUMS lists it: the builds refuse any other bytes",
            });
            var objectArn = stack.FormatArn(new ArnComponents
            {
                Service = "s3",
                Region = "",
                Account = "",
                Resource = bucket.ValueAsString,
                ResourceName = key.ValueAsString,
                ArnFormat = ArnFormat.SLASH_RESOURCE_NAME,
            });
            return new BinaryLocation(bucket.ValueAsString, key.ValueAsString, objectArn, sha256.ValueAsString);
        }
    }
}

/// <summary>The tarball's bucket, key and SHA-256 (possibly tokens) and the ARN of that one object, for a GetObject grant.</summary>
internal sealed record BinaryLocation(string Bucket, string Key, string ObjectArn, string Sha256)
{
    public PolicyStatement ReadStatement() => new(new PolicyStatementProps
    {
        Sid = "ReadGitPromoteBinary",
        Actions = ["s3:GetObject"],
        Resources = [ObjectArn],
    });
}
