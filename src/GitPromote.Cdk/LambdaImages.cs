namespace GitPromote.Cdk;

/// <summary>
/// The CodeBuild Lambda compute images the gate, record and prune builds may run on, and where Lambda compute exists.
/// Sources: the CodeBuild user guide's "Lambda compute images" (which images exist, their platform) and "Run builds on AWS
/// Lambda compute" (the regions); each image's Dockerfile in aws/aws-codebuild-docker-images (al-lambda/x86_64/*: its tools).
/// </summary>
public static class LambdaImages
{
    public const string Prefix = "aws/codebuild/amazonlinux-x86_64-lambda-standard:";

    /// <summary>
    /// python3.13: built on the Lambda python:3.13 base image, whose runtime AWS deprecates on June 30, 2029, the latest date
    /// AWS documents among these images (nodejs22: April 30, 2027; python3.12: October 31, 2028). The builds use no
    /// language runtime: only bash, coreutils, tar, gzip, git and the AWS CLI, which every image below has.
    /// </summary>
    public const string Default = Prefix + "python3.13";

    /// <summary>
    /// The x86_64 images on Amazon Linux 2023 (glibc 2.34, what the linux-x64 binary needs at most; the Amazon Linux 2 ones
    /// have glibc 2.26 and cannot start it), except nodejs20, whose runtime is past its deprecation (April 30, 2026).
    /// </summary>
    public static readonly IReadOnlyList<string> Accepted =
        ["corretto21", "dotnet8", "go1.24", "nodejs22", "python3.12", "python3.13"];

    /// <summary>The regions where CodeBuild offers Lambda compute (CodeBuild user guide, "Which regions support AWS Lambda compute").</summary>
    public static readonly IReadOnlyList<string> Regions =
        ["us-east-1", "us-east-2", "us-west-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-1", "sa-east-1"];

    /// <summary>The full image id of an accepted image, given as its tag (<c>python3.13</c>) or its id.</summary>
    internal static string Check(string image)
    {
        var tag = image.StartsWith(Prefix, StringComparison.Ordinal) ? image[Prefix.Length..] : image;
        if (!Accepted.Contains(tag, StringComparer.Ordinal))
            throw new ArgumentException(
                $"LambdaImage '{image}' is not one the builds run on: use one of {string.Join(", ", Accepted)} ({Prefix}<tag>, Amazon Linux 2023, " +
                "x86_64), or Compute = BuildCompute.Ec2.");
        return Prefix + tag;
    }

    internal static string RegionProblem(string region) =>
        $"CodeBuild runs Lambda compute only in {string.Join(", ", Regions)}, not in {region}: set Compute = BuildCompute.Ec2 for this stack.";
}
