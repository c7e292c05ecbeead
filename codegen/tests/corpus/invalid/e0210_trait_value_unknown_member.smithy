// A misspelled member of a structure trait; points at the key.
// expect: E0210 6:13
$version: "2"
namespace example.invalid

@deprecated(mesage: "use NewName")
string OldName
