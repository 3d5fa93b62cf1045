public import StarlingCore

/// Planned exposures as a KStars/Ekos capture sequence (`.esq`), the file the Capture
/// module loads and the scheduler's jobs run.
///
/// Written as KStars' own reader takes it (KDE/kstars, `kstars/ekos/capture/sequencequeue.cpp`
/// `SequenceQueue::load` and `sequencejob.cpp` `SequenceJob::loadFrom`): a root
/// `<SequenceQueue version='2.6'>` (versions below 2.0 are refused); every child of the
/// root that is not one of its option elements becomes a capture job, so the file holds
/// nothing but `Observer` and `Job` elements. Each job, one per exposure set:
/// `Exposure` (seconds), `Encoding` `FITS`, `Filter` (the name in the telescope's
/// wheel, which Ekos looks up among its filter labels), `Type` `Light`, `Count`, `Delay`
/// (seconds between exposures: 0) and `TargetName`. Binning, frame, format, directory
/// and file names are left out on purpose: Ekos then keeps the camera's and the user's
/// settings (1×1, full frame, its own FITS folder).
///
/// ``export(_:at:)`` writes the whole night as one queue, for the Capture module alone (it
/// takes the exposures in order and does not slew between targets); an
/// ``EkosSchedulerList`` points each of its jobs at ``sequence(for:telescope:)``, one
/// observation's exposures.
public struct EkosSequenceQueue: NightPlanExporter {
    public static let fileExtension = "esq"

    /// The format version written; KStars 3.6 and later read 2.0 and above.
    public static let formatVersion = "2.6"

    public init() {}

    public func export(_ plan: NightPlan, at site: Site) -> String {
        render(plan.entries, observer: plan.telescopeID.rawValue)
    }

    /// One planned observation's exposures, for one job of a scheduler list.
    public func sequence(for entry: PlannedObservation, telescope: TelescopeID) -> String {
        render([entry], observer: telescope.rawValue)
    }

    private func render(_ entries: [PlannedObservation], observer: String) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<SequenceQueue version='\(Self.formatVersion)'>"]
        lines.append("<Observer>\(observer.xmlEscaped())</Observer>")
        for entry in entries {
            for exposure in entry.request.exposures {
                lines += [
                    "<Job>",
                    "<Exposure>\(formatFixed(exposure.exposureSeconds, decimals: 3))</Exposure>",
                    "<Encoding>FITS</Encoding>",
                    "<Filter>\(exposure.filter.name.xmlEscaped())</Filter>",
                    "<Type>Light</Type>",
                    "<Count>\(exposure.count)</Count>",
                    "<Delay>0</Delay>",
                    "<TargetName>\(entry.request.target.name.xmlEscaped())</TargetName>",
                    "</Job>",
                ]
            }
        }
        lines.append("</SequenceQueue>")
        return lines.joined(separator: "\n") + "\n"
    }
}
