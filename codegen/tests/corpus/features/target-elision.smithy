$version: "2.0"

namespace example.elision

resource User {
    identifiers: { userId: String }
    properties: { name: String, email: String }
}

// `for` binds a resource: `$member` takes its identifier/property type.
structure UserSummary for User {
    $userId
    @required
    $name
}

@mixin
structure HasEmail {
    email: String
}

// `$member` also elides a target from a mixin member.
structure Contact with [HasEmail] {
    @required
    $email
}

// Both together.
structure Detailed for User with [HasEmail] {
    $userId
    nickname: String
}
