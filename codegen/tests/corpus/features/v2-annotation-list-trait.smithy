// A bare annotation of a trait whose shape is a list is `[]`, not `{}`;
// applying more values to it appends to that list.
$version: "2.0"
namespace example.annotations

@trait
list marks {
    member: String
}

@marks
string Plain

@marks
@tags
string Tagged

apply Tagged @tags(["extra"])
