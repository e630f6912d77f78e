import ViTCommands

ProcessSetup.configure()
EvalCommand.main()
