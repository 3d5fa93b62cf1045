public import Foundation
public import StarlingCore

/// What the planner expects the weather at a site to be at an instant.
///
/// The planner only needs two numbers: how much of the sky will be cloudy and how good the
/// seeing will be. A forecast service, the simulator's ``WeatherTimeline`` or the site's
/// climate (``ClimateForecast``) can all answer.
public protocol WeatherForecast: Sendable {
    /// The expected conditions at an instant (UTC).
    func expectedConditions(at time: Date) -> ExpectedConditions
}

/// The weather the planner expects at one instant.
public struct ExpectedConditions: Sendable, Hashable {
    /// Expected fraction of the sky covered by cloud, 0…1.
    public let cloudFraction: Double
    /// Expected zenith seeing (FWHM at 500 nm).
    public let seeing: Angle

    /// Creates expected conditions; the cloud fraction is clamped to 0…1 and a non-positive
    /// seeing is replaced by 0.1″.
    public init(cloudFraction: Double, seeing: Angle) {
        self.cloudFraction = min(1, max(0, cloudFraction.isFinite ? cloudFraction : 1))
        self.seeing = seeing.arcseconds > 0.1 ? seeing : .arcseconds(0.1)
    }
}

/// The forecast when nothing better is known: the site's climate, the same all night.
///
/// The expected cloud fraction is 1 − the climate's clear fraction (a site clear 70 % of
/// night hours expects 30 % cloud); the seeing is the climate's median.
public struct ClimateForecast: WeatherForecast {
    public let climate: SiteClimate

    public init(climate: SiteClimate) { self.climate = climate }

    public func expectedConditions(at time: Date) -> ExpectedConditions {
        ExpectedConditions(cloudFraction: 1 - climate.clearFraction, seeing: climate.medianSeeing)
    }
}

/// Perfectly clear skies with a fixed seeing: for benchmarks and for planning that should
/// ignore the weather.
public struct ClearSkyForecast: WeatherForecast {
    public let seeing: Angle

    public init(seeing: Angle = .arcseconds(1.5)) { self.seeing = seeing }

    public func expectedConditions(at time: Date) -> ExpectedConditions {
        ExpectedConditions(cloudFraction: 0, seeing: seeing)
    }
}

/// A simulated night's weather as a perfect forecast (a site with a good nowcast), for what-if
/// plans and tests. `starling night` does not use it: it plans with each site's climate
/// (`ClimateForecast`), so the weather can still surprise the plan.
extension WeatherTimeline: WeatherForecast {
    public func expectedConditions(at time: Date) -> ExpectedConditions {
        let weather = conditions(at: time)
        let cloud = weather.isRaining == true ? 1 : (weather.cloudFraction ?? 0)
        return ExpectedConditions(cloudFraction: cloud, seeing: weather.seeing ?? .arcseconds(1.5))
    }
}
