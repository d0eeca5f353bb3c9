//! BuildKit's own check tests (`frontend/dockerfile/dockerfile_check_test.go`), reproduced:
//! each case's Dockerfile (and `.dockerignore`), linted with the default selection (BuildKit's
//! experimental checks only where the file's `# check=` turns them on), must give exactly the
//! checks BuildKit expects, at their lines: no missing one, and no other BK finding.
//! (`InvalidBaseImagePlatform` needs a registry and is not reproduced; the Windows variants
//! are not either.)

use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::rules::{self, Equivalent};
use spacecheck::space::Space;

const README: &str = "---\nsdk: docker\napp_port: 7860\n---\n";

/// The BK findings for a case: (BuildKit check name, line), sorted.
fn checks(dockerfile: &str, dockerignore: Option<&str>) -> Vec<(String, usize)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), README).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    if let Some(ignore) = dockerignore {
        std::fs::write(dir.path().join(".dockerignore"), ignore).unwrap();
    }
    let space = Space::load(dir.path()).unwrap();
    let report = lint::lint(&space, &Policy::baseline(), &Options::default());
    assert!(!report.diagnostics.iter().any(|d| d.code == "DF002"), "the case must parse: {dockerfile}");
    let mut found: Vec<(String, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code.matches_prefix("BK"))
        .map(|d| {
            let name = rules::rule(d.code).equivalents.iter().find_map(|e| match e {
                Equivalent::BuildKit(n) => Some(n.to_string()),
                Equivalent::Hadolint(_) => None,
            });
            (name.unwrap_or_default(), d.position.as_ref().map_or(0, |p| p.line))
        })
        .collect();
    found.sort();
    found
}

fn expect(list: &[(&str, usize)]) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = list.iter().map(|(n, l)| (n.to_string(), *l)).collect();
    v.sort();
    v
}

/// A case: its Dockerfile, its `.dockerignore` if any, and the checks expected (name, line).
type Case = (&'static str, Option<&'static str>, &'static [(&'static str, usize)]);

/// The Linux cases of BuildKit's tests.
const CASES: &[Case] = &[
    // testRuleCheckOption
    ("#check=skip=all\nFROM scratch as base\ncopy Dockerfile .\n", None, &[]),
    ("#check=skip=all;error=true\nFROM scratch as base\ncopy Dockerfile .\n", None, &[]),
    ("#check=skip=ConsistentInstructionCasing,FromAsCasing\nFROM scratch as base\ncopy Dockerfile .\n", None, &[]),
    ("#check=skip=ConsistentInstructionCasing\nFROM scratch as base\ncopy Dockerfile .\n", None, &[("FromAsCasing", 2)]),
    ("#check=skip=ConsistentInstructionCasing;error=true\nFROM scratch as base\ncopy Dockerfile .\n", None, &[("FromAsCasing", 2)]),
    // testStageName
    (
        "\n# warning: stage name should be lowercase\n#\nFROM scratch AS BadStageName\n\n# warning: 'as' should match 'FROM' cmd casing.\n#\nFROM scratch as base2\n\nFROM scratch AS base3\n",
        None,
        &[("StageNameCasing", 4), ("FromAsCasing", 8)],
    ),
    ("\n# warning: 'AS' should match 'from' cmd casing.\n#\nfrom scratch AS base\n\nfrom scratch as base2\n", None, &[("FromAsCasing", 4)]),
    // testNoEmptyContinuation
    ("\nFROM scratch\n# warning: empty continuation line\nCOPY Dockerfile \\\n\n.\nCOPY Dockerfile \\\n.\n", None, &[("NoEmptyContinuation", 6)]),
    // testConsistentInstructionCasing
    ("\n# w\n#\nFrom scratch as base\nFROM scratch AS base2\n", None, &[("ConsistentInstructionCasing", 4)]),
    ("\nFROM scratch\n# w\ncopy Dockerfile /foo\nCOPY Dockerfile /bar\n", None, &[("ConsistentInstructionCasing", 4)]),
    ("\n# w\n#\nfrOM scratch as base\nfrom scratch as base2\n", None, &[("ConsistentInstructionCasing", 4)]),
    ("\nfrom scratch\n# w\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n", None, &[("ConsistentInstructionCasing", 4)]),
    ("\n# w\n#\nfrom scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\nCOPY Dockerfile /baz\n", None, &[("ConsistentInstructionCasing", 4)]),
    ("\n# w\n#\nFROM scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n", None, &[("ConsistentInstructionCasing", 4)]),
    ("\nfrom scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n", None, &[]),
    ("\nFROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n", None, &[]),
    ("\nFROM alpine\nRUN <<'EOT'\nenv\nEOT\n", None, &[]),
    // testDuplicateStageName
    ("\nFROM scratch AS b\nFROM scratch AS b\n", None, &[("DuplicateStageName", 3)]),
    ("\nFROM scratch AS b1\nFROM scratch AS b2\n", None, &[]),
    // testReservedStageName
    ("\nFROM scratch AS scratch\nFROM scratch AS context\n", None, &[("ReservedStageName", 2), ("ReservedStageName", 3)]),
    ("\nFROM scratch\nFROM scratch AS a\n", None, &[]),
    // testJSONArgsRecommended
    ("\nFROM scratch\nCMD mycommand\n", None, &[("JSONArgsRecommended", 3)]),
    ("\nFROM scratch\nENTRYPOINT mycommand\n", None, &[("JSONArgsRecommended", 3)]),
    ("\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nCMD mycommand\n", None, &[]),
    ("\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nENTRYPOINT mycommand\n", None, &[]),
    ("\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nCMD mycommand\n", None, &[]),
    ("\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\nFROM base\nENTRYPOINT mycommand\n", None, &[]),
    // testMaintainerDeprecated
    ("\nFROM scratch\nMAINTAINER me@example.org\n", None, &[("MaintainerDeprecated", 3)]),
    ("\nFROM scratch\nLABEL org.opencontainers.image.authors=\"me@example.org\"\n", None, &[]),
    ("\nFROM scratch\n# check=skip=JSONArgsRecommended\nCMD mycommand\n", None, &[]),
    ("\nFROM scratch\n# check=skip=JSONArgsRecommended\nENTRYPOINT mycommand\n", None, &[]),
    ("\nFROM scratch\n# check=skip=MaintainerDeprecated\nMAINTAINER me@example.org\n", None, &[]),
    // testUndeclaredArg
    ("\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n", None, &[]),
    ("\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n", None, &[]),
    ("\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n", None, &[]),
    ("\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n", None, &[]),
    ("\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n", None, &[]),
    ("\nARG DEBUG=\"\"\nFROM scratch${DEBUG-@bogus}\nCOPY Dockerfile .\n", None, &[]),
    ("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n", None, &[("UndefinedArgInFrom", 2)]),
    ("\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\nCOPY Dockerfile .\n\t", None, &[("UndefinedArgInFrom", 4)]),
    ("\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n", None, &[("UndefinedArgInFrom", 3)]),
    // testWorkdirRelativePath
    ("\nFROM scratch\nWORKDIR app/\n", None, &[("WorkdirRelativePath", 3)]),
    ("\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\nWORKDIR subdir/\n", None, &[]),
    ("\nFROM scratch\n# check=skip=WorkdirRelativePath\nWORKDIR app/\n", None, &[]),
    // testUnmatchedVars
    ("\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n", None, &[]),
    ("\nFROM alpine AS base\nARG foo=Dockerfile\n\nFROM base\nCOPY $foo .\n", None, &[]),
    ("\nFROM alpine\nRUN echo $PATH\n", None, &[]),
    ("\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n", None, &[("UndefinedVar", 3)]),
    ("\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t", None, &[("UndefinedVar", 6)]),
    ("\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n\t\t", None, &[("UndefinedVar", 3)]),
    // testAllTargetUnmarshal (what `--check` reports: every stage)
    ("\nFROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n", None, &[("UndefinedVar", 3), ("UndefinedVar", 6)]),
    // testMultipleInstructionsDisallowed
    (
        "\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n",
        None,
        &[("MultipleInstructionsDisallowed", 3), ("MultipleInstructionsDisallowed", 5), ("MultipleInstructionsDisallowed", 7)],
    ),
    (
        "\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nCOPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n",
        None,
        &[("MultipleInstructionsDisallowed", 3), ("MultipleInstructionsDisallowed", 4), ("MultipleInstructionsDisallowed", 5)],
    ),
    (
        "\nFROM scratch AS a\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\n\nFROM a AS b\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n",
        None,
        &[],
    ),
    // testLegacyKeyValueFormat
    ("\nFROM scratch\nENV testkey value\nLABEL key value\n", None, &[("LegacyKeyValueFormat", 3), ("LegacyKeyValueFormat", 4)]),
    ("\nFROM scratch\nENV testkey=value\nLABEL key=value\n", None, &[]),
    ("\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n\nFROM a AS c\n", None, &[("LegacyKeyValueFormat", 5), ("LegacyKeyValueFormat", 6)]),
    ("\nFROM scratch\n# check=skip=LegacyKeyValueFormat\nENV testkey value\n# check=skip=LegacyKeyValueFormat\nLABEL key value\n", None, &[]),
    // testRedundantTargetPlatform
    ("\nFROM --platform=$TARGETPLATFORM scratch\n", None, &[("RedundantTargetPlatform", 2)]),
    ("\nFROM --platform=${TARGETPLATFORM} scratch\n", None, &[("RedundantTargetPlatform", 2)]),
    ("\n# check=skip=RedundantTargetPlatform\nFROM --platform=$TARGETPLATFORM scratch\n", None, &[]),
    // testInvalidDefaultArgInFrom
    ("\nARG VERSION\nFROM busybox:$VERSION\n", None, &[("InvalidDefaultArgInFrom", 3)]),
    ("\nARG IMAGE\nFROM $IMAGE\n", None, &[("InvalidDefaultArgInFrom", 3)]),
    ("\nARG SFX=\"box:\"\nFROM busy${SFX}\n", None, &[("InvalidDefaultArgInFrom", 3)]),
    ("\nARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n", None, &[]),
    ("\nARG BUSYBOX_VARIANT=\"\"\nFROM busybox:stable${BUSYBOX_VARIANT}\n", None, &[]),
    ("\n\tARG BUSYBOX_VARIANT\n\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t", None, &[]),
    // testFromPlatformFlagConstDisallowed
    ("\nFROM --platform=linux/amd64 scratch\n", None, &[("FromPlatformFlagConstDisallowed", 2)]),
    ("\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n", None, &[]),
    ("\nFROM --platform=linux/amd64 scratch AS linux\n", None, &[]),
    // testExposeProtoCasing, testExposeInvalidFormat
    ("\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n", None, &[("ExposeProtoCasing", 3), ("ExposeProtoCasing", 3)]),
    (
        "\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n",
        None,
        &[("ExposeInvalidFormat", 3), ("ExposeInvalidFormat", 3), ("ExposeInvalidFormat", 3)],
    ),
    // testSecretsUsedInArgOrEnv
    (
        "# check=skip=InvalidDefinitionDescription\n\nFROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=\nENV PUBLIC_KEY=\nARG public_token\nARG SECRET_PASSPHRASE_FILE\nENV password_file=bar secret_File=baz\nARG AUTH_MODULE_VERSION\n# check=skip=SecretsUsedInArgOrEnv // allow secret in environment\nENV password=bar\n# check=skip=SecretsUsedInArgOrEnv // allow secret in arg\nARG password\n# check=skip=all // is local to only this instruction\nENV alternate_password=bar\n# check=skip=all // is local to only this instruction\nARG alternate_password\n",
        None,
        &[
            ("SecretsUsedInArgOrEnv", 4),
            ("SecretsUsedInArgOrEnv", 5),
            ("SecretsUsedInArgOrEnv", 6),
            ("SecretsUsedInArgOrEnv", 6),
            ("SecretsUsedInArgOrEnv", 7),
            ("SecretsUsedInArgOrEnv", 7),
            ("SecretsUsedInArgOrEnv", 8),
            ("SecretsUsedInArgOrEnv", 9),
        ],
    ),
    // testDefinitionDescription (experimental, turned on by the directive)
    (
        "# check=skip=all;experimental=InvalidDefinitionDescription\n# foo this is the foo\nARG foo=bar\n\n# base this is the base image\nFROM scratch AS base\n\n# version this is the version number\nARG version=latest\n\n# baz this is the baz\nARG foo=baz bar=qux baz=quux\n#\nARG bit=bat\n\n# comment for something other than ARG or FROM\nCOPY Dockerfile .\n",
        None,
        &[],
    ),
    (
        "# check=experimental=InvalidDefinitionDescription\n# bar this is the bar\nARG foo=bar\n# BasE this is the BasE image\nFROM scratch AS base\n# definitely a bad comment\nARG version=latest\n# definitely a bad comment\nARG foo=baz bar=qux baz=quux\n",
        None,
        &[
            ("InvalidDefinitionDescription", 3),
            ("InvalidDefinitionDescription", 5),
            ("InvalidDefinitionDescription", 7),
            ("InvalidDefinitionDescription", 9),
        ],
    ),
    // testCopyIgnoredFiles: on by default since the frontend 1.21.0 promoted it (moby/buildkit
    // 4187c344c); skipped by the directive; not for a copy from a stage; not under an exception.
    (
        "\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n",
        Some("\nDockerfile\n"),
        &[("CopyIgnoredFile", 3), ("CopyIgnoredFile", 4)],
    ),
    ("# check=skip=CopyIgnoredFile\n\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n", Some("\nDockerfile\n"), &[]),
    (
        "\nFROM scratch AS base\nCOPY Dockerfile /foobar\nADD Dockerfile /windy\n\nFROM base\nCOPY --from=base /foobar /Dockerfile\n",
        Some("\nfoobar\n"),
        &[],
    ),
    ("\nFROM scratch\nCOPY ./Dockerfile .\n", Some("\n**\n!Dockerfile\n"), &[]),
    ("\nFROM scratch\nCOPY . .\n\t", Some("\n**\n!Dockerfile\n"), &[]),
    // The examples of BuildKit's rule pages (linter/docs/*.md), a FROM added where they have none.
    ("FROM alpine AS base\nCOPY $foo .\n", None, &[("UndefinedVar", 2)]),
    ("FROM alpine AS base\nARG foo\nCOPY $foo .\n", None, &[]),
    ("FROM alpine AS base\nARG VERSION=$foo\n", None, &[("UndefinedVar", 2)]),
    ("FROM python AS base\nARG VERSION=$PYTHON_VERSION\n", None, &[]),
    ("FROM alpine\nENTRYPOINT my-program start\n", None, &[("JSONArgsRecommended", 2)]),
    ("FROM alpine\nENTRYPOINT [\"my-program\", \"start\"]\n", None, &[]),
    ("FROM alpine\nRUN apk add bash\nSHELL [\"/bin/bash\", \"-c\"]\nENTRYPOINT echo \"hello world\"\n", None, &[]),
    ("ARG TAG\nFROM busybox:${TAG}\n", None, &[("InvalidDefaultArgInFrom", 2)]),
    ("ARG TAG=latest\nFROM busybox:${TAG}\n", None, &[]),
    ("ARG VARIANT\nFROM busybox:stable${VARIANT}\n", None, &[]),
    ("FROM alpine\nENV DEPS \\\n    curl \\\n    git \\\n    make\n", None, &[("LegacyKeyValueFormat", 2)]),
    ("FROM alpine\nENV DEPS=\"\\\n    curl \\\n    git \\\n    make\"\n", None, &[]),
    ("FROM nginx AS web\nWORKDIR usr/share/nginx/html\nCOPY public .\n", None, &[("WorkdirRelativePath", 2)]),
    ("FROM nginx AS web\nWORKDIR /usr/share/nginx/html\nCOPY public .\n", None, &[]),
];

#[test]
fn buildkits_check_tests_give_the_same_checks_at_the_same_lines() {
    let mut failures = Vec::new();
    for (dockerfile, ignore, expected) in CASES {
        let got = checks(dockerfile, *ignore);
        if got != expect(expected) {
            failures.push(format!("{dockerfile:?}\n  expected {:?}\n  got      {got:?}", expect(expected)));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}
