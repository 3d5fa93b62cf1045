import Foundation
import Testing

@testable import StarlingCore

struct SeededGeneratorTests {
    @Test func sameSeedSameStreamDifferentLabelsDifferentStreams() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var x = SeededGenerator(seed: 42).derived("xinglong"), y = SeededGenerator(seed: 42).derived("lulin")
        #expect(x.next() != y.next())
        #expect(StableHash.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
    }

    @Test func distributionsHaveTheirMoments() {
        var random = SeededGenerator(seed: 7)
        let count = 200_000
        let uniforms = (0..<count).map { _ in random.nextUnit() }
        #expect(abs(uniforms.reduce(0, +) / Double(count) - 0.5) < 0.005)
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
        let gaussians = (0..<count).map { _ in random.nextGaussian() }
        let mean = gaussians.reduce(0, +) / Double(count)
        let variance = gaussians.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
        for lambda in [0.5, 4.0, 25.0, 400.0] {
            let draws = (0..<20_000).map { _ in random.nextPoisson(mean: lambda) }
            let poissonMean = draws.reduce(0, +) / Double(draws.count)
            let poissonVariance = draws.map { ($0 - poissonMean) * ($0 - poissonMean) }.reduce(0, +) / Double(draws.count)
            #expect(abs(poissonMean - lambda) < 0.05 * lambda + 0.05)
            #expect(abs(poissonVariance - lambda) < 0.1 * lambda + 0.1)
        }
    }
}

struct WeatherTimelineTests {
    let site: Site
    let span = DateInterval(start: Date(timeIntervalSince1970: 1_795_420_800), duration: 12 * 3600)

    init() throws {
        site = try #require(try TestPaths.layout.loadNetwork().site("xinglong"))
    }

    @Test func sameSeedGivesTheSameWeather() {
        let a = WeatherTimeline(site: site, scenario: WeatherScenario(), span: span, seed: 9)
        let b = WeatherTimeline(site: site, scenario: WeatherScenario(), span: span, seed: 9)
        let c = WeatherTimeline(site: site, scenario: WeatherScenario(), span: span, seed: 10)
        let times = stride(from: 0.0, to: span.duration, by: 900).map { span.start.addingTimeInterval($0) }
        #expect(times.map { a.conditions(at: $0) } == times.map { b.conditions(at: $0) })
        #expect(times.map { a.conditions(at: $0).cloudFraction } != times.map { c.conditions(at: $0).cloudFraction })
    }

    @Test func explicitChangesHoldFromTheirTime() {
        let changeTime = span.start.addingTimeInterval(3 * 3600)
        let scenario = WeatherScenario(
            defaultModel: .clear,
            changes: [site.id: [WeatherChange(at: changeTime, cloudFraction: 0.9, isRaining: true)]])
        let timeline = WeatherTimeline(site: site, scenario: scenario, span: span, seed: 1)
        let before = timeline.conditions(at: changeTime.addingTimeInterval(-60))
        #expect(before.cloudFraction == 0)
        #expect(before.isRaining == false)
        #expect(before.seeing == site.climate.medianSeeing)
        let after = timeline.conditions(at: changeTime.addingTimeInterval(2 * 3600))
        #expect(after.cloudFraction == 0.9)
        #expect(after.isRaining == true)
        #expect(timeline.significantChanges().first == changeTime)
    }

    /// Regression (issue 17): changes applied at the first 10-minute step at or after their
    /// time, up to 10 minutes late. A change at 3 h 05 min 17 s is in force from that second,
    /// and the feed that reports the weather is told to look then.
    @Test func explicitChangesApplyAtTheirOwnInstantNotTheNextStep() {
        let changeTime = span.start.addingTimeInterval(3 * 3600 + 317)
        let scenario = WeatherScenario(
            defaultModel: .clear, changes: [site.id: [WeatherChange(at: changeTime, cloudFraction: 0.85), WeatherChange(at: changeTime.addingTimeInterval(1), isRaining: true)]])
        let timeline = WeatherTimeline(site: site, scenario: scenario, span: span, seed: 1)
        #expect(timeline.conditions(at: changeTime.addingTimeInterval(-0.001)).cloudFraction == 0)
        #expect(timeline.conditions(at: changeTime).cloudFraction == 0.85)
        #expect(timeline.conditions(at: changeTime).isRaining == false)
        #expect(timeline.conditions(at: changeTime.addingTimeInterval(1)).isRaining == true)
        #expect(timeline.conditions(at: changeTime.addingTimeInterval(1)).cloudFraction == 0.85, "later changes keep earlier fields")
        #expect(timeline.nextChange(after: changeTime.addingTimeInterval(-100)) == changeTime)
        #expect(timeline.nextChange(after: changeTime) == changeTime.addingTimeInterval(1))
        #expect(timeline.changeInstants.contains(span.start.addingTimeInterval(600)), "the climate model's steps are change instants too")
        #expect(timeline.significantChanges() == [changeTime, changeTime.addingTimeInterval(1)])
    }

    /// The scenario's changes leave the climate model's random stream alone: the same seed with
    /// and without a change of one field gives the same other fields.
    @Test func anOverrideLeavesTheOtherFieldsDraws() {
        let plain = WeatherTimeline(site: site, scenario: WeatherScenario(), span: span, seed: 4)
        let changed = WeatherTimeline(
            site: site, scenario: WeatherScenario(changes: [site.id: [WeatherChange(at: span.start.addingTimeInterval(1234), seeing: .arcseconds(0.7))]]),
            span: span, seed: 4)
        for offset in stride(from: 0.0, to: span.duration, by: 700) {
            let a = plain.conditions(at: span.start.addingTimeInterval(offset)), b = changed.conditions(at: span.start.addingTimeInterval(offset))
            #expect(a.cloudFraction == b.cloudFraction && a.windSpeedMetersPerSecond == b.windSpeedMetersPerSecond && a.relativeHumidity == b.relativeHumidity)
        }
    }

    @Test func lostFeedSilencesTheSensorButNotTheSky() {
        let lost = span.start.addingTimeInterval(3600), back = span.start.addingTimeInterval(7200)
        let scenario = WeatherScenario(changes: [site.id: [WeatherChange(at: lost, feedLost: true), WeatherChange(at: back, feedLost: false)]])
        let timeline = WeatherTimeline(site: site, scenario: scenario, span: span, seed: 1)
        #expect(timeline.sensorReading(at: lost.addingTimeInterval(60)) == nil)
        #expect(timeline.sensorReading(at: back.addingTimeInterval(60)) != nil)
        #expect(timeline.conditions(at: lost.addingTimeInterval(60)).cloudFraction != nil)
    }

    @Test func climateModelMatchesTheSiteClearFractionOverManyNights() {
        let long = DateInterval(start: span.start, duration: 400 * 86_400)
        let timeline = WeatherTimeline(site: site, scenario: WeatherScenario(), span: long, seed: 3)
        let samples = stride(from: 0.0, to: long.duration, by: 600).map { timeline.conditions(at: long.start.addingTimeInterval($0)) }
        let clear = Double(samples.filter { ($0.cloudFraction ?? 1) < 0.3 }.count) / Double(samples.count)
        #expect(abs(clear - site.climate.clearFraction) < 0.05)
        let seeing = samples.compactMap { $0.seeing?.arcseconds }.sorted()
        #expect(abs(seeing[seeing.count / 2] / site.climate.medianSeeing.arcseconds - 1) < 0.05)
    }
}
