import ArgumentParser
import Assistant
import Foundation
import Logging
import MCP
import Planning
import StarlingCore

extension Starling {
    /// `starling ask`: an observation request in plain words, through a reasoning model and
    /// Starling's MCP tools.
    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a request in plain words into a validated observation request, with a reasoning model choosing the tool calls.",
            discussion: """
                The model at STARLING_MODEL_BASE_URL (docs/models.md) is given the words, the sites and the \
                tools of the running network's MCP endpoint (--server, `starling serve`) and calls them: \
                target_observability to find where the target can be seen, submit_observation_request to make \
                the request. Every request call is made with validate_only, so nothing is scheduled from the \
                conversation: the request comes back as Starling understood it (target, exposures, window, \
                telescope class, duration) and is shown before anything else. It is submitted only when you \
                answer yes at the prompt, or with --submit. The token (--token, else $STARLING_TOKEN) needs the \
                observer role and membership of the proposal. Exits 1 when the model did not arrive at a \
                valid request, saying what it tried.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp("What to observe, in words (quote it).", valueName: "WORDS"))
        var words: String

        @Option(help: ArgumentHelp("The running network (`starling serve`); its MCP endpoint is SERVER/mcp.", valueName: "URL"))
        var server: ServerURL = ServerURL(url: URL(string: "http://127.0.0.1:8080")!)

        @Option(help: ArgumentHelp("An API token's secret with the observer role (default: $STARLING_TOKEN).", valueName: "TOKEN"))
        var token: String?

        @Option(help: ArgumentHelp("The proposal to request under (default: the proposal open to every token in proposals.yaml).", valueName: "ID"))
        var proposal: String?

        @Flag(help: "Submit the validated request without asking.")
        var submit = false

        @Option(help: ArgumentHelp("The most model turns before giving up.", valueName: "N"))
        var maxTurns = 6

        func validate() throws {
            guard maxTurns >= 1 else { throw ValidationError("--max-turns \(maxTurns): give at least 1") }
        }

        func run() async throws {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                // The MCP client's notices about a stateless endpoint's replies are not the user's concern.
                handler.logLevel = .error
                return handler
            }
            let logger = Logger(label: "starling.ask")
            let layout = try options.layout()
            let network = try loadOrExit { () throws(ConfigErrors) in try layout.loadNetwork() }
            let proposals = try loadOrExit { () throws(ConfigErrors) in try layout.loadProposals() }
            let proposalID = try chosenProposal(proposals)
            let configuration: ChatCompletionsModel.Configuration
            do throws(ModelError) {
                configuration = try ChatCompletionsModel.Configuration.fromEnvironment()
            } catch {
                throw ValidationError(error.message)
            }
            let secret = token ?? ProcessInfo.processInfo.environment[Mcp.tokenEnvironmentKey].flatMap { $0.isEmpty ? nil : $0 }
            let sites = network.sites.map { site in
                "\(site.id) | \(site.name) | latitude \(String(format: "%+.1f", site.location.latitude.degrees))°"
            }
            let understood: Bool
            do throws(AssistantError) {
                let tools = try await MCPToolServer.connect(to: server.url.appendingPathComponent("mcp"), token: secret, logger: logger)
                let assistant = RequestAssistant(
                    model: ChatCompletionsClient(configuration: configuration), server: tools,
                    setting: RequestAssistant.Setting(proposal: proposalID, sites: sites, now: Date(), maximumTurns: maxTurns))
                let session = try await assistant.run(words)
                if options.json {
                    try await concludeAsJSON(session, assistant: assistant, model: configuration)
                } else {
                    try await conclude(session, assistant: assistant, model: configuration)
                }
                await tools.disconnect()
                understood = session.understood != nil
            } catch {
                printError("starling ask: \(error)")
                throw ExitCode(1)
            }
            if !understood { throw ExitCode(1) }
        }

        /// `--proposal`, else the one proposal every token may use.
        private func chosenProposal(_ book: ProposalBook) throws -> String {
            if let proposal {
                guard book.proposal(proposal) != nil else {
                    throw ValidationError("--proposal: \(UnknownNameError(kind: "proposal", name: proposal, scope: "in proposals.yaml", known: book.proposals.map(\.id)))")
                }
                return proposal
            }
            guard let open = book.proposals.first(where: { $0.isCurrent && $0.members.contains("*") }) else {
                throw ValidationError("no proposal in proposals.yaml is open to every token: name yours with --proposal")
            }
            return open.id
        }

        /// `--json`: the conversation and the request as one document; submitted only with
        /// `--submit` (there is no prompt).
        private func concludeAsJSON(_ session: AssistantSession, assistant: RequestAssistant, model: ChatCompletionsModel.Configuration) async throws(AssistantError) {
            var submission: ToolOutcome?
            if submit, let understood = session.understood { submission = try await assistant.submit(understood) }
            do {
                try printJSON(AskDocument(session: session, model: model, submission: submission))
            } catch {
                throw AssistantError("cannot write the JSON: \(error)")
            }
        }

        /// Prints the conversation and the request as understood; submits it if agreed.
        private func conclude(_ session: AssistantSession, assistant: RequestAssistant, model: ChatCompletionsModel.Configuration) async throws(AssistantError) {
            print("Asked \(model.model) at \(model.baseURL): \"\(session.words)\" (\(session.turns) turn\(session.turns == 1 ? "" : "s"))")
            for step in session.steps {
                switch step {
                case .said(let text): print("  model: \(text)")
                case .reasoning(let text): print("  model's reasoning: \(text.replacingOccurrences(of: "\n", with: " ").prefix(300))")
                case .note(let text): print("  (\(text))")
                case .called(let tool, let arguments, let outcome, let notes):
                    print("  → \(tool) \(arguments)\(notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")")
                    print("    \(outcome.isError ? "refused" : "answered"): \(outcome.text.split(separator: "\n").first.map(String.init) ?? "")")
                case .refused(let tool, let arguments, let reason): print("  → \(tool) \(arguments.prefix(200)): not called, \(reason)")
                }
            }
            if let failure = session.modelFailure { print("The model stopped answering: \(failure)") }
            if session.stoppedAtTurnLimit { print("Stopped after \(session.turns) turns (--max-turns).") }
            guard let understood = session.understood else {
                print("No valid request came of it; nothing was submitted. Say it more plainly, or make the request with the API (docs/ocs.md).")
                return
            }
            print("\nThe request as Starling understood it:\n  \(understood.shownBack.split(separator: "\n").first.map(String.init) ?? understood.shownBack)")
            print("  arguments: \(RequestAssistant.text(understood.arguments))")
            let agreed: Bool
            if submit {
                agreed = true
            } else if isatty(STDIN_FILENO) != 0 {
                print("Submit it? [y/N] ", terminator: "")
                agreed = ["y", "yes"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
            } else {
                agreed = false
            }
            guard agreed else {
                print("Not submitted (answer y, or pass --submit).")
                return
            }
            let outcome = try await assistant.submit(understood)
            print(outcome.isError ? "Refused: \(outcome.text)" : "Submitted: \(outcome.text.split(separator: "\n").first.map(String.init) ?? "")")
        }
    }
}

/// `starling ask --json`.
struct AskDocument: Encodable {
    struct Step: Encodable {
        /// `said`, `reasoning`, `note`, `called` or `refused`.
        let kind: String
        let text: String?
        let tool: String?
        let arguments: String?
        let is_error: Bool?
        let notes: [String]?
    }

    struct Understood: Encodable {
        let arguments: String
        let shown_back: String
    }

    struct Submission: Encodable {
        let refused: Bool
        let text: String
    }

    let words: String
    let model: String
    let base_url: String
    let turns: Int
    let steps: [Step]
    let understood: Understood?
    let model_failure: String?
    let stopped_at_turn_limit: Bool
    /// `null` when nothing was submitted (no `--submit`, or no valid request).
    let submission: Submission?

    init(session: AssistantSession, model: ChatCompletionsModel.Configuration, submission: ToolOutcome?) {
        words = session.words
        self.model = model.model
        base_url = model.baseURL.absoluteString
        turns = session.turns
        steps = session.steps.map { step in
            switch step {
            case .said(let text): Step(kind: "said", text: text, tool: nil, arguments: nil, is_error: nil, notes: nil)
            case .reasoning(let text): Step(kind: "reasoning", text: text, tool: nil, arguments: nil, is_error: nil, notes: nil)
            case .note(let text): Step(kind: "note", text: text, tool: nil, arguments: nil, is_error: nil, notes: nil)
            case .called(let tool, let arguments, let outcome, let notes):
                Step(kind: "called", text: outcome.text, tool: tool, arguments: arguments, is_error: outcome.isError, notes: notes)
            case .refused(let tool, let arguments, let reason): Step(kind: "refused", text: reason, tool: tool, arguments: arguments, is_error: true, notes: nil)
            }
        }
        understood = session.understood.map { Understood(arguments: RequestAssistant.text($0.arguments), shown_back: $0.shownBack) }
        model_failure = session.modelFailure
        stopped_at_turn_limit = session.stoppedAtTurnLimit
        self.submission = submission.map { Submission(refused: $0.isError, text: $0.text) }
    }
}
