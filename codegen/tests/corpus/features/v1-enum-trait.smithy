$version: "1.0"

namespace example.enumtrait

@enum([
    { value: "t2.nano", name: "T2_NANO", documentation: "Smallest", tags: ["small"] },
    { value: "t2.micro", name: "T2_MICRO", deprecated: true }
])
string InstanceType

@enum([{value: "a"}, {value: "b"}])
string Unnamed
