import ViTCommands

ProcessSetup.configure()
DistillCommand.main()
