// swift-tools-version: 6.1
// The package draws the architecture of DESIGN.md: pure domain modules
// (Telemetry, FloorModel, ContaminationRules) import no IO; drivers, the
// store and the ITSM link do IO; DCAgentWeb serves HTTP over the store's read
// protocols (never the drivers); DCAgentServer wires the daemon's services;
// the executables parse arguments, call a library and print.
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let log: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "DCAgent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dcagent", targets: ["DCAgent"]),
        .executable(name: "dcagent-sim", targets: ["DCAgentSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // MARK: Vocabulary and pure domain
        .target(name: "Telemetry", swiftSettings: upcoming),
        .target(name: "FloorModel", dependencies: ["Telemetry"], swiftSettings: upcoming),
        .target(name: "ContaminationRules", dependencies: ["Telemetry"], swiftSettings: upcoming),

        // MARK: C libraries
        .systemLibrary(name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        .systemLibrary(name: "CNetSNMP", providers: [.apt(["libsnmp-dev"])]),

        // MARK: IO modules
        .target(
            name: "SensorDrivers",
            dependencies: ["Telemetry", "CModbus", "CNetSNMP", log, lifecycle],
            swiftSettings: upcoming),
        .target(
            name: "ITSMLink",
            dependencies: [
                "ContaminationRules", "FloorModel", log,
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcoming),
        .target(
            name: "AgentStore",
            dependencies: [
                "Telemetry", "FloorModel", "ContaminationRules",
                .product(name: "GRDB", package: "GRDB.swift"),
                // sqlite3_bind_* on the ingest hot path (SampleStore.insert)
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                log, lifecycle,
            ],
            swiftSettings: upcoming),

        // MARK: Server libraries
        .target(
            name: "DCAgentWeb",
            dependencies: [
                "Telemetry", "FloorModel", "ContaminationRules", "ITSMLink", "AgentStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                log, lifecycle,
            ],
            // The pages' templates, translations (Indonesian and English) and static files.
            resources: [.copy("Resources")],
            swiftSettings: upcoming),
        .target(
            name: "DCAgentServer",
            dependencies: [
                "Telemetry", "FloorModel", "ContaminationRules", "SensorDrivers", "ITSMLink", "AgentStore", "DCAgentWeb",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                log, lifecycle,
            ],
            swiftSettings: upcoming),

        // MARK: Executables
        .executableTarget(
            name: "DCAgent",
            dependencies: [
                "Telemetry", "FloorModel", "ContaminationRules", "SensorDrivers", "ITSMLink", "AgentStore", "DCAgentServer", "DCAgentWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                log, lifecycle,
            ],
            swiftSettings: upcoming),
        .executableTarget(
            name: "DCAgentSim",
            dependencies: [
                "Telemetry", "CModbus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: upcoming),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                log,
                // Browser: the WebDriver client talks HTTP to chromedriver on 127.0.0.1
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport", swiftSettings: upcoming),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"], swiftSettings: upcoming),
        .testTarget(
            name: "FloorModelTests", dependencies: ["FloorModel", "Telemetry", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"], swiftSettings: upcoming),
        .testTarget(
            name: "ContaminationRulesTests",
            dependencies: ["ContaminationRules", "Telemetry", .product(name: "Yams", package: "Yams")],
            swiftSettings: upcoming),
        .testTarget(
            name: "SensorDriverTests",
            dependencies: ["SensorDrivers", "Telemetry", "TestSupport", log, .product(name: "Yams", package: "Yams")],
            exclude: ["Peers", "SNMPPeers"], swiftSettings: upcoming),
        .testTarget(
            name: "ITSMLinkTests",
            dependencies: ["ITSMLink", "TestSupport", log, .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: upcoming),
        .testTarget(
            name: "AgentStoreTests",
            dependencies: ["AgentStore", "Telemetry", "FloorModel", "ContaminationRules", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"), log],
            swiftSettings: upcoming),
        .testTarget(
            name: "DCAgentWebTests",
            dependencies: [
                "DCAgentWeb", "AgentStore", "Telemetry", "ContaminationRules", "FloorModel", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                log,
            ],
            swiftSettings: upcoming),
        .testTarget(
            name: "DCAgentServerTests",
            dependencies: ["DCAgentServer", "AgentStore", "SensorDrivers", "Telemetry", "ContaminationRules", "ITSMLink", "TestSupport", log, .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: upcoming),
        .testTarget(
            name: "DCAgentTests",
            dependencies: [
                "Telemetry", "AgentStore", "ContaminationRules", "ITSMLink", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcoming),
    ]
)
