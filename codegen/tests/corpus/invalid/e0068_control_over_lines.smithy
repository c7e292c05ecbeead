// Only spaces may separate a control key, its colon and its value.
// expect: E0068 4:9
// expect: E0068 6:23
$version
: "2.0"
$operationInputSuffix:
"Request"
namespace example.invalid
