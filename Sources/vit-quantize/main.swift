import ViTCommands

ProcessSetup.configure()
QuantizeCommand.main()
