$version: "2.0"

namespace example.resource

service Forecast {
    version: "2006-03-01"
    resources: [City]
}

resource City {
    identifiers: { cityId: CityId }
    properties: { name: String, coordinates: Coordinates }
    create: CreateCity
    read: GetCity
    list: ListCities
    resources: [Weather]
}

resource Weather {
    identifiers: { cityId: CityId }
    read: GetWeather
    operations: [Refresh]
    collectionOperations: [Summarize]
}

@pattern("^[A-Za-z0-9 ]+$")
string CityId

structure Coordinates {
    latitude: Float
    longitude: Float
}

operation CreateCity {
    input := {
        name: String
        coordinates: Coordinates
    }
    output := {
        @required
        cityId: CityId
    }
}

@readonly
operation GetCity {
    input := for City {
        @required
        $cityId
    }
    output := for City {
        $name
        $coordinates
    }
}

@readonly
operation ListCities {
    input := {}
    output := {
        items: CityIds
    }
}

list CityIds {
    member: CityId
}

@readonly
operation GetWeather {
    input := for Weather {
        @required
        $cityId
    }
}

operation Refresh {
    input := for Weather {
        @required
        $cityId
    }
}

operation Summarize {}
