$version: "2.0"
$operationInputSuffix: "Request"
$operationOutputSuffix: "Response"

namespace example.suffix

operation GetThing {
    input := {
        id: String
    }
    output := {
        value: String
    }
}
