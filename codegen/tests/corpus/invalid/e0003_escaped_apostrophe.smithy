// `\'` is not one of the grammar's escapes; escape errors are reported at the
// string's opening quote (the escape has a secondary label).
// expect: E0003 6:16
$version: "2.0"
namespace example.invalid
@documentation("it\'s")
string Name
