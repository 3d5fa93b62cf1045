/// Any agent's event, as the network's one stream carries it: to the router, the journal, a
/// live dashboard or a script following the night.
public enum NetworkEvent: Sendable {
    case telescope(TelescopeEvent)
    case planner(PlannerEvent)
    case coordinator(CoordinatorEvent)
    case reporter(ReporterEvent)
}
