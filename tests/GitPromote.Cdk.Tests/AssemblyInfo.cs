// One jsii node process serves every CDK call of the test process, and it is not safe to drive from several
// threads (packages are unpacked on first use): the CDK tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
