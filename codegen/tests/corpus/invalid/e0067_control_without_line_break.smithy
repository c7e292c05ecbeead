// A control statement must end its line (grammar rule BR).
// expect: E0067 3:17
$version: "2.0" $operationInputSuffix: "In"
namespace example.invalid
