"""schemathesis hooks of waihu's API fuzzing (loaded by run.sh through
SCHEMATHESIS_HOOKS).

Request bodies in file media types that schemathesis has no serializer for
(audio prompts, contact files) go out as raw bytes, as application/octet-stream
bodies do; without this the operations taking them cannot be fuzzed at all.
"""

import schemathesis

schemathesis.serializer.alias(
    [
        "audio/wav",
        "audio/x-wav",
        "audio/mpeg",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ],
    "application/octet-stream",
)
